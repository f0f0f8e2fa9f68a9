// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeployOffchainResolver} from "../script/DeployOffchainResolver.s.sol";
import {IOffchainResolver} from "../src/IOffchainResolver.sol";
import {OffchainResolver} from "../src/OffchainResolver.sol";
import {ENSRegistry} from "./fixtures/ENSRegistry.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Test} from "forge-std/Test.sol";

contract DeployOffchainResolverTest is Test {
    bytes32 internal constant DM3_ETH = 0x7a89c892822f794633b63305bc6b61bdd7d84aa101d25615520bc3aee905f970;

    DeployOffchainResolver internal script;
    ENSRegistry internal registry;
    bytes32 internal dm3Node;
    address internal signerA = makeAddr("signerA");
    address internal signerB = makeAddr("signerB");
    address internal owner = makeAddr("owner");

    function setUp() public {
        script = new DeployOffchainResolver();
        registry = new ENSRegistry();
        bytes32 eth = registry.setSubnodeOwner(bytes32(0), keccak256("eth"), address(this));
        dm3Node = registry.setSubnodeOwner(eth, keccak256("dm3"), address(this));
        assertEq(dm3Node, DM3_ETH);
    }

    function test_Deploy_WithoutRegistry() public {
        DeployOffchainResolver.Config memory cfg = _config(address(0));
        OffchainResolver resolver = script.deploy(cfg);

        assertEq(resolver.owner(), cfg.owner);
        assertEq(resolver.baseUrls(), cfg.baseUrls);
        assertEq(
            resolver.urls()[0],
            string.concat("https://gw.dm3.example/", Strings.toHexString(address(resolver)), "/{sender}/{data}.json")
        );
        assertTrue(resolver.isSigner(signerA));
        assertTrue(resolver.isSigner(signerB));
        assertEq(registry.resolver(dm3Node), address(0));
    }

    function test_Deploy_SetsParentResolver() public {
        registry.setOwner(dm3Node, address(script));
        OffchainResolver resolver = script.deploy(_config(address(registry)));
        assertEq(registry.resolver(dm3Node), address(resolver));
    }

    function test_RevertWhen_DeployerDoesNotOwnParent() public {
        vm.expectRevert(abi.encodeWithSelector(ENSRegistry.Unauthorized.selector, dm3Node, address(script)));
        script.deploy(_config(address(registry)));
    }

    /// The only test that touches the process environment (tests run in parallel).
    function test_Run_ReadsEnvironmentAndBroadcasts() public {
        registry.setOwner(dm3Node, DEFAULT_SENDER);
        vm.setEnv("GATEWAY_URL", "https://gw.dm3.example,https://backup.dm3.example/ccip");
        vm.setEnv("SIGNERS", string.concat(vm.toString(signerA), ",", vm.toString(signerB)));
        vm.setEnv("ENS_REGISTRY", vm.toString(address(registry)));
        vm.setEnv("PARENT_NAME", "dm3.eth");

        OffchainResolver resolver = script.run();

        assertEq(resolver.owner(), DEFAULT_SENDER, "owner is the broadcaster");
        string[] memory urls = resolver.urls();
        string memory self = Strings.toHexString(address(resolver));
        assertEq(urls.length, 2);
        assertEq(urls[0], string.concat("https://gw.dm3.example/", self, "/{sender}/{data}.json"));
        assertEq(urls[1], string.concat("https://backup.dm3.example/ccip/", self, "/{sender}/{data}.json"));
        assertEq(resolver.signers().length, 2);
        assertTrue(resolver.isSigner(signerA));
        assertTrue(resolver.isSigner(signerB));
        assertEq(registry.resolver(dm3Node), address(resolver));
        assertTrue(resolver.supportsInterface(0x9061b923));
        assertTrue(resolver.supportsInterface(0x582de3e7));
        assertTrue(resolver.supportsFeature(0x96b62db8));
        vm.expectPartialRevert(IOffchainResolver.OffchainLookup.selector);
        resolver.resolve(hex"05616c69636503646d330365746800", "");
    }

    /// An old-style template in `GATEWAY_URL` stops the deployment instead of deploying a resolver whose lookups
    /// would not name it.
    function test_RevertWhen_GatewayUrlIsATemplate() public {
        DeployOffchainResolver.Config memory cfg = _config(address(0));
        cfg.baseUrls[0] = "https://gw.dm3.example/{sender}/{data}.json";
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.InvalidBaseUrl.selector, 0));
        script.deploy(cfg);
    }

    function _config(address ensRegistry) internal view returns (DeployOffchainResolver.Config memory cfg) {
        cfg.owner = owner;
        cfg.baseUrls = new string[](1);
        cfg.baseUrls[0] = "https://gw.dm3.example";
        cfg.signers = new address[](2);
        cfg.signers[0] = signerA;
        cfg.signers[1] = signerB;
        cfg.ensRegistry = ensRegistry;
        cfg.parentName = "dm3.eth";
    }
}
