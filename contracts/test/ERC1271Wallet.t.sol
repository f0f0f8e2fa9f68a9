// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1271Wallet} from "./fixtures/ERC1271Wallet.sol";
import {Test} from "forge-std/Test.sol";

contract ERC1271WalletTest is Test {
    function test_IsValidSignature_AcceptsOwner() public {
        (address owner, uint256 key) = makeAddrAndKey("owner");
        ERC1271Wallet wallet = new ERC1271Wallet(owner);
        bytes32 hash = keccak256("message");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, hash);
        assertEq(wallet.isValidSignature(hash, abi.encodePacked(r, s, v)), bytes4(0x1626ba7e));
    }

    function test_IsValidSignature_RejectsOthers() public {
        (address owner,) = makeAddrAndKey("owner");
        (, uint256 otherKey) = makeAddrAndKey("other");
        ERC1271Wallet wallet = new ERC1271Wallet(owner);
        bytes32 hash = keccak256("message");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(otherKey, hash);
        assertEq(wallet.isValidSignature(hash, abi.encodePacked(r, s, v)), bytes4(0));
        assertEq(wallet.isValidSignature(hash, hex"1234"), bytes4(0));
    }
}
