// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IL2NameRegistry} from "../src/IL2NameRegistry.sol";
import {L2NameRegistry} from "../src/L2NameRegistry.sol";
import {NameHash} from "../src/libraries/NameHash.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Test} from "forge-std/Test.sol";

contract L2NameRegistryTest is Test {
    /// `namehash("dm3.eth")` and `namehash("alice.dm3.eth")` (ENSIP-1), written out (`cast namehash`).
    bytes32 internal constant DM3_ETH = 0x7a89c892822f794633b63305bc6b61bdd7d84aa101d25615520bc3aee905f970;
    bytes32 internal constant ALICE_NODE = 0xe723057cfcea4caa8bb047bcedeadd72c3fe5658652300180c62686bccb3c192;

    string internal constant PROFILE_KEY = "network.dm3.profile";
    string internal constant LEGACY_PROFILE_KEY = "eth.dm3.profile";
    uint256 internal constant COIN_ETH = 60;
    /// ENSIP-11 coin type of OP Mainnet (chain id 10).
    uint256 internal constant COIN_OP = 0x8000000a;

    bytes internal constant ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-";

    L2NameRegistry internal registry;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    function setUp() public {
        registry = new L2NameRegistry("dm3.eth", NameHash.namehash("dm3.eth"));
    }

    // ---------------------------------------------------------------- constructor

    function test_Constructor_StoresParent() public view {
        assertEq(registry.parentName(), "dm3.eth");
        assertEq(registry.parentNode(), DM3_ETH);
        assertEq(registry.parentNode(), NameHash.namehash("dm3.eth"));
    }

    function test_RevertWhen_ParentNodeMismatch() public {
        bytes32 wrong = NameHash.namehash("dm4.eth");
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.ParentNodeMismatch.selector, DM3_ETH, wrong));
        new L2NameRegistry("dm3.eth", wrong);
    }

    // ---------------------------------------------------------------- register

    function test_Register_SetsOwner() public {
        vm.prank(alice);
        bytes32 node = registry.register("alice", alice);

        assertEq(node, ALICE_NODE);
        assertEq(node, NameHash.namehash("alice.dm3.eth"));
        assertEq(registry.nodeOf("alice"), ALICE_NODE);
        assertEq(registry.owner(node), alice);
        assertEq(registry.addr(node), alice);
        assertEq(registry.addr(node, COIN_ETH), abi.encodePacked(alice));
        assertEq(registry.labelOf(node), "alice");
        assertEq(registry.recordVersion(node), 0);
        assertEq(registry.text(node, PROFILE_KEY), "");
        assertEq(registry.contenthash(node), "");
    }

    function test_Register_Emits() public {
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.NameRegistered(ALICE_NODE, "alice", alice);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddrChanged(ALICE_NODE, alice);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddressChanged(ALICE_NODE, COIN_ETH, abi.encodePacked(alice));
        vm.prank(alice);
        registry.register("alice", alice);
    }

    /// Anyone may pay the gas to register a name for someone else; the payer gets no rights over it.
    function test_Register_ForAnotherOwner() public {
        vm.prank(carol);
        bytes32 node = registry.register("alice", alice);
        assertEq(registry.owner(node), alice);
        assertEq(registry.addr(node), alice);

        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.NotOwner.selector, node, carol));
        registry.setText(node, PROFILE_KEY, "x");
    }

    function test_Register_AcceptsBoundaryLabels() public {
        string[6] memory good = ["a", "0", "a--b", "ab-c-d", "123", "abc--d"];
        for (uint256 i = 0; i < good.length; ++i) {
            bytes32 node = registry.register(good[i], alice);
            assertEq(registry.owner(node), alice);
            assertEq(registry.labelOf(node), good[i]);
        }
        string memory longest = _repeat("a", 255);
        assertEq(registry.owner(registry.register(longest, alice)), alice);
    }

    function testFuzz_RevertWhen_LabelTaken(address caller, address nameOwner) public {
        vm.assume(nameOwner != address(0));
        vm.prank(alice);
        registry.register("alice", alice);

        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.LabelTaken.selector, "alice"));
        registry.register("alice", nameOwner);
        assertEq(registry.owner(ALICE_NODE), alice);
    }

    function test_RevertWhen_InvalidLabel() public {
        string[13] memory bad = [
            "",
            "Alice",
            "alicE",
            "al ice",
            "-alice",
            "alice-",
            "-",
            "xn--ab",
            "al.ice",
            "al_ice",
            unicode"älice",
            unicode"alice🙂",
            "alice\x00"
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.InvalidLabel.selector, bad[i]));
            registry.register(bad[i], alice);
        }
        string memory tooLong = _repeat("a", 256);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.InvalidLabel.selector, tooLong));
        registry.register(tooLong, alice);
    }

    function test_RevertWhen_ZeroAddressOwner() public {
        vm.expectRevert(IL2NameRegistry.ZeroAddressOwner.selector);
        registry.register("alice", address(0));
    }

    /// Any valid label registers, and its node is `keccak256(parentNode ‖ keccak256(label))`.
    function testFuzz_Register_ValidLabel(uint256 seed, uint256 length, address nameOwner) public {
        vm.assume(nameOwner != address(0));
        string memory label = _validLabel(seed, bound(length, 1, 255));

        vm.prank(nameOwner);
        bytes32 node = registry.register(label, nameOwner);

        assertEq(node, keccak256(abi.encodePacked(DM3_ETH, keccak256(bytes(label)))));
        assertEq(node, NameHash.namehash(string.concat(label, ".dm3.eth")));
        assertEq(registry.nodeOf(label), node);
        assertEq(registry.owner(node), nameOwner);
        assertEq(registry.addr(node), nameOwner);
        assertEq(registry.labelOf(node), label);
    }

    /// A byte outside [a-z0-9-] anywhere in an otherwise valid label makes it invalid.
    function testFuzz_RevertWhen_LabelHasForeignByte(uint8 b, uint256 position) public {
        vm.assume(!_isLabelByte(bytes1(b)));
        bytes memory label = bytes("alice");
        label[bound(position, 0, label.length - 1)] = bytes1(b);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.InvalidLabel.selector, string(label)));
        registry.register(string(label), alice);
    }

    /// The contract accepts exactly the labels the reference rule in this test accepts.
    function testFuzz_Register_MatchesReferenceRule(bytes calldata label) public {
        if (_isValidLabel(label)) {
            assertEq(registry.owner(registry.register(string(label), alice)), alice);
        } else {
            vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.InvalidLabel.selector, string(label)));
            registry.register(string(label), alice);
        }
    }

    // ---------------------------------------------------------------- records

    function test_SetText_StoresAndEmits() public {
        bytes32 node = _registerAlice();
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.TextChanged(node, PROFILE_KEY, PROFILE_KEY, "data:application/json,{}");
        vm.prank(alice);
        registry.setText(node, PROFILE_KEY, "data:application/json,{}");
        assertEq(registry.text(node, PROFILE_KEY), "data:application/json,{}");
        assertEq(registry.text(node, LEGACY_PROFILE_KEY), "");
    }

    function testFuzz_SetText_RoundTrip(string calldata key, string calldata value, string calldata other) public {
        vm.assume(keccak256(bytes(key)) != keccak256(bytes(other)));
        bytes32 node = _registerAlice();
        vm.prank(alice);
        registry.setText(node, key, value);
        assertEq(registry.text(node, key), value);
        assertEq(registry.text(node, other), "");

        vm.prank(alice);
        registry.setText(node, key, "");
        assertEq(registry.text(node, key), "");
    }

    function test_SetRecords_Batch() public {
        bytes32 node = _registerAlice();
        string[] memory keys = new string[](3);
        string[] memory values = new string[](3);
        (keys[0], values[0]) = (PROFILE_KEY, "profile");
        (keys[1], values[1]) = ("avatar", "https://example.com/a.png");
        (keys[2], values[2]) = ("url", "https://dm3.network");

        for (uint256 i = 0; i < keys.length; ++i) {
            vm.expectEmit(address(registry));
            emit IL2NameRegistry.TextChanged(node, keys[i], keys[i], values[i]);
        }
        vm.prank(alice);
        registry.setRecords(node, keys, values);

        for (uint256 i = 0; i < keys.length; ++i) {
            assertEq(registry.text(node, keys[i]), values[i]);
        }
    }

    function test_SetRecords_Empty() public {
        bytes32 node = _registerAlice();
        vm.prank(alice);
        registry.setRecords(node, new string[](0), new string[](0));
    }

    function test_RevertWhen_SetRecordsLengthMismatch() public {
        bytes32 node = _registerAlice();
        vm.prank(alice);
        vm.expectRevert(IL2NameRegistry.LengthMismatch.selector);
        registry.setRecords(node, new string[](2), new string[](1));
    }

    function test_SetAddr_EthAddress() public {
        bytes32 node = _registerAlice();
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddrChanged(node, bob);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddressChanged(node, COIN_ETH, abi.encodePacked(bob));
        vm.prank(alice);
        registry.setAddr(node, bob);
        assertEq(registry.addr(node), bob);
        assertEq(registry.addr(node, COIN_ETH), abi.encodePacked(bob));
        assertEq(registry.owner(node), alice, "the address record is not ownership");
    }

    function test_SetAddr_CoinTypeEthIsTheEthAddress() public {
        bytes32 node = _registerAlice();
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddrChanged(node, bob);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddressChanged(node, COIN_ETH, abi.encodePacked(bob));
        vm.prank(alice);
        registry.setAddr(node, COIN_ETH, abi.encodePacked(bob));
        assertEq(registry.addr(node), bob);

        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddrChanged(node, address(0));
        vm.prank(alice);
        registry.setAddr(node, COIN_ETH, "");
        assertEq(registry.addr(node), address(0));
        assertEq(registry.addr(node, COIN_ETH), "");
    }

    function testFuzz_RevertWhen_EthAddressLengthInvalid(bytes calldata value) public {
        vm.assume(value.length != 20 && value.length != 0);
        bytes32 node = _registerAlice();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.InvalidEthAddressLength.selector, value.length));
        registry.setAddr(node, COIN_ETH, value);
    }

    function testFuzz_SetAddr_OtherCoinRoundTrip(uint256 coinType, bytes calldata value) public {
        vm.assume(coinType != COIN_ETH);
        bytes32 node = _registerAlice();
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddressChanged(node, coinType, value);
        vm.prank(alice);
        registry.setAddr(node, coinType, value);
        assertEq(registry.addr(node, coinType), value);
        assertEq(registry.addr(node), alice, "the Ethereum address is untouched");
    }

    function test_SetContenthash_StoresAndEmits() public {
        bytes32 node = _registerAlice();
        bytes memory hash = hex"e3010170122029f2d17be6139079dc48696d1f582a8530eb9805b561eda517e22a892c7e3f1f";
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.ContenthashChanged(node, hash);
        vm.prank(alice);
        registry.setContenthash(node, hash);
        assertEq(registry.contenthash(node), hash);
    }

    // ---------------------------------------------------------------- access control

    function testFuzz_RevertWhen_NotOwner(address caller) public {
        vm.assume(caller != alice);
        bytes32 node = _registerAlice();
        bytes memory notOwner = abi.encodeWithSelector(IL2NameRegistry.NotOwner.selector, node, caller);

        vm.startPrank(caller);
        vm.expectRevert(notOwner);
        registry.setText(node, PROFILE_KEY, "x");
        vm.expectRevert(notOwner);
        registry.setRecords(node, new string[](1), new string[](1));
        vm.expectRevert(notOwner);
        registry.setAddr(node, caller);
        vm.expectRevert(notOwner);
        registry.setAddr(node, COIN_OP, abi.encodePacked(caller));
        vm.expectRevert(notOwner);
        registry.setContenthash(node, hex"e301");
        vm.expectRevert(notOwner);
        registry.transfer(node, caller);
        vm.expectRevert(notOwner);
        registry.release(node);
        vm.stopPrank();

        assertEq(registry.owner(node), alice);
        assertEq(registry.addr(node), alice);
        assertEq(registry.recordVersion(node), 0);
    }

    function testFuzz_RevertWhen_NameNotRegistered(address caller, bytes32 node) public {
        bytes memory notRegistered = abi.encodeWithSelector(IL2NameRegistry.NameNotRegistered.selector, node);

        vm.startPrank(caller);
        vm.expectRevert(notRegistered);
        registry.setText(node, PROFILE_KEY, "x");
        vm.expectRevert(notRegistered);
        registry.setRecords(node, new string[](0), new string[](0));
        vm.expectRevert(notRegistered);
        registry.setAddr(node, caller);
        vm.expectRevert(notRegistered);
        registry.setAddr(node, COIN_OP, "");
        vm.expectRevert(notRegistered);
        registry.setContenthash(node, "");
        vm.expectRevert(notRegistered);
        registry.transfer(node, caller);
        vm.expectRevert(notRegistered);
        registry.release(node);
        vm.stopPrank();
    }

    function test_Views_UnregisteredAreEmpty() public view {
        assertEq(registry.owner(ALICE_NODE), address(0));
        assertEq(registry.addr(ALICE_NODE), address(0));
        assertEq(registry.addr(ALICE_NODE, COIN_ETH), "");
        assertEq(registry.text(ALICE_NODE, PROFILE_KEY), "");
        assertEq(registry.contenthash(ALICE_NODE), "");
        assertEq(registry.labelOf(ALICE_NODE), "");
        assertEq(registry.recordVersion(ALICE_NODE), 0);
    }

    // ---------------------------------------------------------------- transfer

    function test_Transfer_MovesAddrAndClearsProfile() public {
        bytes32 node = _registerAliceWithRecords();

        vm.prank(alice);
        registry.transfer(node, bob);

        assertEq(registry.owner(node), bob);
        assertEq(registry.addr(node), bob);
        assertEq(registry.addr(node, COIN_ETH), abi.encodePacked(bob));
        assertEq(registry.labelOf(node), "alice");
        assertEq(registry.recordVersion(node), 1);
        assertEq(registry.text(node, PROFILE_KEY), "");
        assertEq(registry.text(node, LEGACY_PROFILE_KEY), "");
        assertEq(registry.text(node, "avatar"), "");
        assertEq(registry.addr(node, COIN_OP), "");
        assertEq(registry.contenthash(node), "");

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.NotOwner.selector, node, alice));
        registry.setText(node, PROFILE_KEY, "stale");

        vm.prank(bob);
        registry.setText(node, PROFILE_KEY, "bob's profile");
        assertEq(registry.text(node, PROFILE_KEY), "bob's profile");
    }

    function test_Transfer_Emits() public {
        bytes32 node = _registerAlice();
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.NameTransferred(node, alice, bob);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.VersionChanged(node, 1);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddrChanged(node, bob);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.AddressChanged(node, COIN_ETH, abi.encodePacked(bob));
        vm.prank(alice);
        registry.transfer(node, bob);
    }

    function test_RevertWhen_TransferToZeroAddress() public {
        bytes32 node = _registerAlice();
        vm.prank(alice);
        vm.expectRevert(IL2NameRegistry.ZeroAddressOwner.selector);
        registry.transfer(node, address(0));
    }

    // ---------------------------------------------------------------- release

    function test_Release_ClearsEverything() public {
        bytes32 node = _registerAliceWithRecords();

        vm.expectEmit(address(registry));
        emit IL2NameRegistry.NameReleased(node, alice);
        vm.expectEmit(address(registry));
        emit IL2NameRegistry.VersionChanged(node, 1);
        vm.prank(alice);
        registry.release(node);

        assertEq(registry.owner(node), address(0));
        assertEq(registry.addr(node), address(0));
        assertEq(registry.addr(node, COIN_ETH), "");
        assertEq(registry.addr(node, COIN_OP), "");
        assertEq(registry.text(node, PROFILE_KEY), "");
        assertEq(registry.text(node, "avatar"), "");
        assertEq(registry.contenthash(node), "");
        assertEq(registry.labelOf(node), "");
        assertEq(registry.recordVersion(node), 1);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.NameNotRegistered.selector, node));
        registry.setText(node, PROFILE_KEY, "x");
    }

    function test_Release_AllowsReRegistrationWithoutLeaks() public {
        bytes32 node = _registerAliceWithRecords();
        vm.prank(alice);
        registry.release(node);

        vm.prank(carol);
        assertEq(registry.register("alice", carol), node);

        assertEq(registry.owner(node), carol);
        assertEq(registry.addr(node), carol);
        assertEq(registry.labelOf(node), "alice");
        assertEq(registry.text(node, PROFILE_KEY), "");
        assertEq(registry.text(node, LEGACY_PROFILE_KEY), "");
        assertEq(registry.text(node, "avatar"), "");
        assertEq(registry.addr(node, COIN_OP), "");
        assertEq(registry.contenthash(node), "");

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IL2NameRegistry.NotOwner.selector, node, alice));
        registry.release(node);

        // Releasing again and re-registering still starts from empty records.
        vm.prank(carol);
        registry.setText(node, "avatar", "carol.png");
        vm.prank(carol);
        registry.release(node);
        registry.register("alice", alice);
        assertEq(registry.text(node, "avatar"), "");
        assertEq(registry.recordVersion(node), 2);
    }

    // ---------------------------------------------------------------- ERC-165

    function test_SupportsInterface() public view {
        assertTrue(registry.supportsInterface(type(IERC165).interfaceId));
        assertTrue(registry.supportsInterface(type(IL2NameRegistry).interfaceId));
        assertTrue(registry.supportsInterface(bytes4(keccak256("addr(bytes32)"))));
        assertTrue(registry.supportsInterface(bytes4(keccak256("addr(bytes32,uint256)"))));
        assertTrue(registry.supportsInterface(bytes4(keccak256("text(bytes32,string)"))));
        assertTrue(registry.supportsInterface(bytes4(keccak256("contenthash(bytes32)"))));
        assertTrue(registry.supportsInterface(0x3b3b57de));
        assertTrue(registry.supportsInterface(0xf1cb7e06));
        assertTrue(registry.supportsInterface(0x59d1d43c));
        assertTrue(registry.supportsInterface(0xbc1c58d1));
        assertFalse(registry.supportsInterface(0xffffffff));
        assertFalse(registry.supportsInterface(0x9061b923), "not an ENSIP-10 resolver");
    }

    // ---------------------------------------------------------------- helpers

    function _registerAlice() internal returns (bytes32 node) {
        vm.prank(alice);
        node = registry.register("alice", alice);
    }

    function _registerAliceWithRecords() internal returns (bytes32 node) {
        node = _registerAlice();
        string[] memory keys = new string[](3);
        string[] memory values = new string[](3);
        (keys[0], values[0]) = (PROFILE_KEY, "alice's profile");
        (keys[1], values[1]) = (LEGACY_PROFILE_KEY, "alice's old profile");
        (keys[2], values[2]) = ("avatar", "alice.png");
        vm.startPrank(alice);
        registry.setRecords(node, keys, values);
        registry.setAddr(node, COIN_OP, abi.encodePacked(alice));
        registry.setContenthash(node, hex"e301");
        vm.stopPrank();
        assertEq(registry.text(node, PROFILE_KEY), "alice's profile");
    }

    /// A valid label of `length` bytes drawn from [a-z0-9-] by `seed`, with the hyphen rules patched in.
    function _validLabel(uint256 seed, uint256 length) internal pure returns (string memory) {
        bytes memory b = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            b[i] = ALPHABET[uint256(keccak256(abi.encode(seed, i))) % ALPHABET.length];
        }
        if (b[0] == "-") b[0] = "a";
        if (b[length - 1] == "-") b[length - 1] = "z";
        if (length >= 4 && b[2] == "-" && b[3] == "-") b[3] = "0";
        return string(b);
    }

    function _repeat(string memory s, uint256 n) internal pure returns (string memory out) {
        for (uint256 i = 0; i < n; ++i) {
            out = string.concat(out, s);
        }
    }

    function _isLabelByte(bytes1 c) internal pure returns (bool) {
        for (uint256 i = 0; i < ALPHABET.length; ++i) {
            if (ALPHABET[i] == c) return true;
        }
        return false;
    }

    /// Reference rule, written independently of the contract's.
    function _isValidLabel(bytes memory b) internal pure returns (bool) {
        if (b.length < 1 || b.length > 255) return false;
        for (uint256 i = 0; i < b.length; ++i) {
            if (!_isLabelByte(b[i])) return false;
            bool edge = i == 0 || i == b.length - 1;
            if (b[i] == "-" && edge) return false;
        }
        return !(b.length >= 4 && b[2] == "-" && b[3] == "-");
    }
}
