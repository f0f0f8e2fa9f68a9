// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ENSRegistry} from "./fixtures/ENSRegistry.sol";
import {Test} from "forge-std/Test.sol";

contract ENSRegistryTest is Test {
    bytes32 internal constant ROOT = bytes32(0);

    ENSRegistry internal registry;
    address internal alice = makeAddr("alice");

    function setUp() public {
        registry = new ENSRegistry();
    }

    function test_Constructor_DeployerOwnsRoot() public view {
        assertEq(registry.owner(ROOT), address(this));
        assertTrue(registry.recordExists(ROOT));
        assertFalse(registry.recordExists(keccak256("nothing")));
    }

    function test_SetSubnodeOwner_ReturnsNamehash() public {
        bytes32 eth = registry.setSubnodeOwner(ROOT, keccak256("eth"), address(this));
        assertEq(eth, 0x93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae);
        bytes32 dm3 = registry.setSubnodeOwner(eth, keccak256("dm3"), alice);
        assertEq(dm3, keccak256(abi.encodePacked(eth, keccak256("dm3"))));
        assertEq(registry.owner(dm3), alice);
        assertTrue(registry.recordExists(dm3));
    }

    function test_SetSubnodeOwner_EmitsNewOwner() public {
        vm.expectEmit(address(registry));
        emit ENSRegistry.NewOwner(ROOT, keccak256("eth"), alice);
        registry.setSubnodeOwner(ROOT, keccak256("eth"), alice);
    }

    function test_SetResolver_ByOwner() public {
        bytes32 eth = registry.setSubnodeOwner(ROOT, keccak256("eth"), alice);
        address resolver = makeAddr("resolver");
        vm.expectEmit(address(registry));
        emit ENSRegistry.NewResolver(eth, resolver);
        vm.prank(alice);
        registry.setResolver(eth, resolver);
        assertEq(registry.resolver(eth), resolver);
    }

    function test_SetSubnodeRecord_SetsAll() public {
        address resolver = makeAddr("resolver");
        registry.setSubnodeRecord(ROOT, keccak256("eth"), alice, resolver, 3600);
        bytes32 eth = keccak256(abi.encodePacked(ROOT, keccak256("eth")));
        assertEq(registry.owner(eth), alice);
        assertEq(registry.resolver(eth), resolver);
        assertEq(registry.ttl(eth), 3600);
    }

    function test_SetRecordAndOwner_Transfer() public {
        registry.setRecord(ROOT, alice, address(0), 60);
        assertEq(registry.owner(ROOT), alice);
        assertEq(registry.ttl(ROOT), 60);
        vm.prank(alice);
        registry.setOwner(ROOT, address(this));
        assertEq(registry.owner(ROOT), address(this));
        registry.setTTL(ROOT, 0);
        assertEq(registry.ttl(ROOT), 0);
    }

    function testFuzz_RevertWhen_NotNodeOwner(address caller) public {
        vm.assume(caller != address(this));
        bytes memory unauthorized = abi.encodeWithSelector(ENSRegistry.Unauthorized.selector, ROOT, caller);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        registry.setSubnodeOwner(ROOT, keccak256("eth"), caller);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        registry.setResolver(ROOT, caller);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        registry.setOwner(ROOT, caller);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        registry.setSubnodeRecord(ROOT, keccak256("eth"), caller, caller, 0);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        registry.setRecord(ROOT, caller, caller, 0);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        registry.setTTL(ROOT, 1);
    }

    function test_RevertWhen_ParentOwnerSetsChildResolver() public {
        bytes32 eth = registry.setSubnodeOwner(ROOT, keccak256("eth"), alice);
        // Owning the root does not authorize changes to a node owned by someone else.
        vm.expectRevert(abi.encodeWithSelector(ENSRegistry.Unauthorized.selector, eth, address(this)));
        registry.setResolver(eth, address(this));
    }
}
