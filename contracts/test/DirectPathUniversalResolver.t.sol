// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IResolverService} from "../src/IResolverService.sol";
import {OffchainResolver} from "../src/OffchainResolver.sol";
import {DirectPathUniversalResolver, IENSResolverLookup} from "./fixtures/DirectPathUniversalResolver.sol";
import {ENSRegistry} from "./fixtures/ENSRegistry.sol";
import {Test} from "forge-std/Test.sol";

/// An extended resolver that answers on chain and advertises what it is told to.
contract StubResolver {
    bool internal immutable erc7996;
    bool internal immutable multicallFeature;

    constructor(bool erc7996_, bool multicallFeature_) {
        erc7996 = erc7996_;
        multicallFeature = multicallFeature_;
    }

    function supportsInterface(bytes4 id) external view returns (bool) {
        return id == 0x01ffc9a7 || id == 0x9061b923 || (erc7996 && id == 0x582de3e7);
    }

    function supportsFeature(bytes4 id) external view returns (bool) {
        return multicallFeature && id == 0x96b62db8;
    }

    function resolve(bytes calldata, bytes calldata data) external pure returns (bytes memory) {
        return abi.encode(keccak256(data));
    }
}

/// Checks the direct-path fixture the end-to-end tests use against the real resolver, with the gateway played by
/// `vm.sign`.
contract DirectPathUniversalResolverTest is Test {
    bytes internal constant ALICE_DNS = hex"05616c69636503646d330365746800";
    bytes32 internal constant ALICE_NODE = 0xe723057cfcea4caa8bb047bcedeadd72c3fe5658652300180c62686bccb3c192;

    ENSRegistry internal registry;
    OffchainResolver internal resolver;
    DirectPathUniversalResolver internal ur;
    uint256 internal signerKey;

    function setUp() public {
        address signer;
        (signer, signerKey) = makeAddrAndKey("signer");
        registry = new ENSRegistry();
        bytes32 eth = registry.setSubnodeOwner(bytes32(0), keccak256("eth"), address(this));
        bytes32 dm3 = registry.setSubnodeOwner(eth, keccak256("dm3"), address(this));
        string[] memory bases = new string[](1);
        bases[0] = "https://gw.dm3.example";
        address[] memory signers = new address[](1);
        signers[0] = signer;
        resolver = new OffchainResolver(address(this), bases, signers);
        registry.setResolver(dm3, address(resolver));
        ur = new DirectPathUniversalResolver(IENSResolverLookup(address(registry)));
    }

    function test_Resolve_ReraisesLookupAsItsOwnAndVerifiesThroughResolver() public {
        assertEq(ur.findResolver(ALICE_DNS), address(resolver));
        bytes[] memory calls = new bytes[](2);
        calls[0] = abi.encodeWithSignature("text(bytes32,string)", ALICE_NODE, "url");
        calls[1] = abi.encodeWithSignature("addr(bytes32)", ALICE_NODE);
        bytes memory data = abi.encodeWithSignature("multicall(bytes[])", calls);
        bytes memory callData = abi.encodeWithSelector(IResolverService.resolve.selector, ALICE_DNS, data);

        bytes memory innerExtra = abi.encode(callData, address(resolver));
        bytes memory extraData = abi.encode(address(resolver), resolver.resolveWithProof.selector, innerExtra);
        vm.expectRevert(
            abi.encodeWithSelector(
                DirectPathUniversalResolver.OffchainLookup.selector,
                address(ur),
                resolver.urls(),
                callData,
                ur.resolveCallback.selector,
                extraData
            )
        );
        ur.resolve(ALICE_DNS, data);

        bytes[] memory results = new bytes[](2);
        results[0] = abi.encode("https://dm3.chat");
        results[1] = abi.encode(address(0xA11CE));
        bytes memory answer = abi.encode(results);
        (bytes memory result, address answeredBy) =
            ur.resolveCallback(_response(address(resolver), callData, answer), extraData);
        assertEq(answeredBy, address(resolver));
        assertEq(result, answer);

        // Signed for the fixture (the `sender` a gateway sees) instead of the resolver: refused.
        bytes memory wrong = _response(address(ur), callData, answer);
        vm.expectPartialRevert(DirectPathUniversalResolver.ResolverError.selector);
        ur.resolveCallback(wrong, extraData);
    }

    /// The gateway's response for `answer`, signed for `target`.
    function _response(address target, bytes memory callData, bytes memory answer)
        internal
        view
        returns (bytes memory)
    {
        uint64 expires = uint64(block.timestamp + 60);
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(signerKey, resolver.makeSignatureHash(target, expires, callData, answer));
        return abi.encode(answer, expires, abi.encodePacked(r, s, v));
    }

    /// Only resolvers that advertise ERC-7996 (and, for a multicall, the multicall feature) take the direct path.
    function test_DirectPath_OnlyForResolversWithFeatures() public {
        bytes32 dm3 = 0x7a89c892822f794633b63305bc6b61bdd7d84aa101d25615520bc3aee905f970;
        bytes memory single = abi.encodeWithSignature("addr(bytes32)", ALICE_NODE);
        bytes memory multi = abi.encodeWithSignature("multicall(bytes[])", new bytes[](1));

        StubResolver plain = new StubResolver(false, false);
        registry.setResolver(dm3, address(plain));
        vm.expectRevert(abi.encodeWithSelector(DirectPathUniversalResolver.NotDirectPath.selector, address(plain)));
        ur.resolve(ALICE_DNS, single);

        StubResolver noMulticall = new StubResolver(true, false);
        registry.setResolver(dm3, address(noMulticall));
        (bytes memory result, address answeredBy) = ur.resolve(ALICE_DNS, single);
        assertEq(answeredBy, address(noMulticall));
        assertEq(result, abi.encode(keccak256(single)));
        vm.expectRevert(
            abi.encodeWithSelector(DirectPathUniversalResolver.NotDirectPath.selector, address(noMulticall))
        );
        ur.resolve(ALICE_DNS, multi);

        StubResolver full = new StubResolver(true, true);
        registry.setResolver(dm3, address(full));
        (result,) = ur.resolve(ALICE_DNS, multi);
        assertEq(result, abi.encode(keccak256(multi)));
    }

    function test_RevertWhen_NameHasNoResolver() public {
        bytes memory other = hex"056f7468657203636f6d00"; // other.com
        vm.expectRevert(abi.encodeWithSelector(DirectPathUniversalResolver.ResolverNotFound.selector, other));
        ur.resolve(other, "");
    }
}
