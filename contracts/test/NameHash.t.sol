// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {NameHash} from "../src/libraries/NameHash.sol";
import {Test} from "forge-std/Test.sol";

contract NameHashTest is Test {
    function test_Namehash_KnownNames() public pure {
        assertEq(NameHash.namehash(""), bytes32(0));
        assertEq(NameHash.namehash("eth"), 0x93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae);
        assertEq(NameHash.namehash("foo.eth"), 0xde9b09fd7c5f901e23a3f19fecc54828e9c848539801e86591bd9801b019f84f);
        assertEq(NameHash.namehash("alice.dm3.eth"), 0xe723057cfcea4caa8bb047bcedeadd72c3fe5658652300180c62686bccb3c192);
    }

    function testFuzz_Namehash_IsRecursive(string calldata label, string calldata parent) public pure {
        vm.assume(_isLabel(bytes(label)));
        vm.assume(_isLabel(bytes(parent)));
        bytes32 parentNode = NameHash.namehash(parent);
        assertEq(
            NameHash.namehash(string.concat(label, ".", parent)),
            keccak256(abi.encodePacked(parentNode, keccak256(bytes(label))))
        );
    }

    function test_RevertWhen_EmptyLabel() public {
        string[4] memory bad = ["a..eth", ".eth", "eth.", "."];
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(NameHash.EmptyLabel.selector, bad[i]));
            this.namehash(bad[i]);
        }
    }

    /// External wrapper so that `expectRevert` sees the library's revert one call deeper.
    function namehash(string calldata name) external pure returns (bytes32) {
        return NameHash.namehash(name);
    }

    function _isLabel(bytes memory b) private pure returns (bool) {
        if (b.length == 0) return false;
        for (uint256 i = 0; i < b.length; ++i) {
            if (b[i] == ".") return false;
        }
        return true;
    }
}
