// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7996} from "../src/IERC7996.sol";
import {IExtendedResolver} from "../src/IExtendedResolver.sol";
import {IOffchainResolver} from "../src/IOffchainResolver.sol";
import {IResolverService} from "../src/IResolverService.sol";
import {OffchainResolver} from "../src/OffchainResolver.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Test} from "forge-std/Test.sol";

contract OffchainResolverTest is Test {
    /// secp256k1 group order.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// `dns("alice.dm3.eth")` (ENSIP-10 DNS wire name) and `namehash("alice.dm3.eth")` (ENSIP-1), written
    /// out; tests/vectors/generate.mjs checks the same values.
    bytes internal constant ALICE_DNS = hex"05616c69636503646d330365746800";
    bytes32 internal constant ALICE_NODE = 0xe723057cfcea4caa8bb047bcedeadd72c3fe5658652300180c62686bccb3c192;

    /// ENSIP-22 feature id of `eth.ens.resolver.extended.multicall`, written out: the first four bytes of
    /// `keccak256("eth.ens.resolver.extended.multicall")`.
    bytes4 internal constant RESOLVE_MULTICALL = 0x96b62db8;

    string internal constant VECTORS = "/tests/vectors/signatures.json";

    OffchainResolver internal resolver;
    address internal owner = makeAddr("owner");
    address internal signer;
    uint256 internal signerKey;
    /// The base URLs the resolver is deployed with.
    string[] internal gatewayUrls;

    bytes internal request;
    bytes internal result;
    uint64 internal expires;

    function setUp() public {
        vm.warp(1_700_000_000);
        (signer, signerKey) = makeAddrAndKey("signer");
        gatewayUrls.push("https://gateway.dm3.example");
        gatewayUrls.push("http://backup.dm3.example:8080/ccip");
        resolver = new OffchainResolver(owner, gatewayUrls, _list(signer));

        request =
            _request(ALICE_DNS, abi.encodeWithSignature("text(bytes32,string)", ALICE_NODE, "network.dm3.profile"));
        result = abi.encode("data:application/json,{\"publicEncryptionKey\":\"x\"}");
        expires = uint64(block.timestamp + 300);
    }

    // ---------------------------------------------------------------- resolve

    function test_Resolve_RevertsWithOffchainLookup() public {
        bytes memory data = abi.encodeWithSignature("text(bytes32,string)", ALICE_NODE, "network.dm3.profile");
        bytes memory callData = abi.encodeWithSelector(IResolverService.resolve.selector, ALICE_DNS, data);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOffchainResolver.OffchainLookup.selector,
                address(resolver),
                _lookupUrls(gatewayUrls, address(resolver)),
                callData,
                OffchainResolver.resolveWithProof.selector,
                abi.encode(callData, address(resolver))
            )
        );
        resolver.resolve(ALICE_DNS, data);
    }

    /// The exact URL strings, for a resolver at a fixed address given in mixed case: the address is written in
    /// lower case between the base and `{sender}`.
    function test_Resolve_EmitsUrlsNamingTheResolver() public {
        address at = 0xabCDeF0123456789AbcdEf0123456789aBCDEF01;
        deployCodeTo("OffchainResolver.sol:OffchainResolver", abi.encode(owner, gatewayUrls, _list(signer)), at);
        string[] memory expected = new string[](2);
        expected[0] = "https://gateway.dm3.example/0xabcdef0123456789abcdef0123456789abcdef01/{sender}/{data}.json";
        expected[1] =
        "http://backup.dm3.example:8080/ccip/0xabcdef0123456789abcdef0123456789abcdef01/{sender}/{data}.json";
        assertEq(IOffchainResolver(at).urls(), expected);
        assertEq(IOffchainResolver(at).baseUrls(), gatewayUrls);

        bytes memory data = abi.encodeWithSignature("addr(bytes32)", ALICE_NODE);
        bytes memory callData = abi.encodeWithSelector(IResolverService.resolve.selector, ALICE_DNS, data);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOffchainResolver.OffchainLookup.selector,
                at,
                expected,
                callData,
                OffchainResolver.resolveWithProof.selector,
                abi.encode(callData, at)
            )
        );
        IOffchainResolver(at).resolve(ALICE_DNS, data);
    }

    /// ENSIP-22: `resolve(name, multicall(calls))` is one lookup whose callData carries the multicall unchanged,
    /// and the signed `abi.encode(bytes[])` answer comes back from the callback as is.
    function test_Resolve_MulticallIsOneLookup() public view {
        bytes[] memory calls = new bytes[](2);
        calls[0] = abi.encodeWithSignature("text(bytes32,string)", ALICE_NODE, "network.dm3.profile");
        calls[1] = abi.encodeWithSignature("addr(bytes32)", ALICE_NODE);
        bytes memory data = abi.encodeWithSignature("multicall(bytes[])", calls);
        // casting to 'bytes4' is safe because it takes the selector, the first four bytes
        // forge-lint: disable-next-line(unsafe-typecast)
        assertEq(bytes4(data), bytes4(0xac9650d8));

        (address sender, string[] memory urls, bytes memory callData, bytes4 callback, bytes memory extraData) =
            this.lookup(ALICE_DNS, data);
        assertEq(sender, address(resolver));
        assertEq(urls, _lookupUrls(gatewayUrls, address(resolver)));
        assertEq(callData, _request(ALICE_DNS, data));

        bytes[] memory results = new bytes[](2);
        results[0] = result;
        results[1] = abi.encode(address(0xA11CE));
        bytes memory answer = abi.encode(results);
        bytes memory response = abi.encode(answer, expires, _sign(signerKey, sender, expires, callData, answer));
        (bool ok, bytes memory ret) = sender.staticcall(abi.encodeWithSelector(callback, response, extraData));
        assertTrue(ok);
        bytes[] memory decoded = abi.decode(abi.decode(ret, (bytes)), (bytes[]));
        assertEq(decoded.length, 2);
        assertEq(abi.decode(decoded[0], (string)), "data:application/json,{\"publicEncryptionKey\":\"x\"}");
        assertEq(abi.decode(decoded[1], (address)), address(0xA11CE));
    }

    function test_Selectors_MatchReference() public pure {
        assertEq(IOffchainResolver.OffchainLookup.selector, bytes4(0x556f1830));
        assertEq(IExtendedResolver.resolve.selector, bytes4(0x9061b923));
        assertEq(IResolverService.resolve.selector, bytes4(0x9061b923));
        assertEq(OffchainResolver.resolveWithProof.selector, bytes4(0xf4d4d2f8));
        assertEq(type(IExtendedResolver).interfaceId, bytes4(0x9061b923));
        assertEq(type(IERC7996).interfaceId, bytes4(0x582de3e7));
        assertEq(IERC7996.supportsFeature.selector, bytes4(0x582de3e7));
        assertEq(RESOLVE_MULTICALL, bytes4(keccak256("eth.ens.resolver.extended.multicall")));
    }

    /// Plays the client and the gateway: the lookup's callData is signed and handed to the callback it names.
    function testFuzz_Resolve_LookupRoundTripsThroughCallback(bytes calldata name, bytes calldata data) public view {
        (address sender, string[] memory urls, bytes memory callData, bytes4 callback, bytes memory extraData) =
            this.lookup(name, data);
        assertEq(sender, address(resolver));
        assertEq(urls, _lookupUrls(gatewayUrls, address(resolver)));
        assertEq(callData, abi.encodeWithSelector(IResolverService.resolve.selector, name, data));

        bytes memory response = abi.encode(result, expires, _sign(signerKey, sender, expires, callData, result));
        (bool ok, bytes memory ret) = sender.staticcall(abi.encodeWithSelector(callback, response, extraData));
        assertTrue(ok);
        assertEq(abi.decode(ret, (bytes)), result);
    }

    // ------------------------------------------------------ resolveWithProof

    function test_ResolveWithProof_ReturnsResult() public view {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        assertEq(resolver.resolveWithProof(_response(result, expires, sig), _extraData(request)), result);
    }

    function test_ResolveWithProof_AcceptsAtExpiry() public {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        vm.warp(expires);
        assertEq(resolver.resolveWithProof(_response(result, expires, sig), _extraData(request)), result);
    }

    function test_ResolveWithProof_AcceptsEmptyResult() public view {
        bytes memory empty = abi.encode("");
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, empty);
        assertEq(resolver.resolveWithProof(_response(empty, expires, sig), _extraData(request)), empty);
    }

    function test_RevertWhen_SignatureExpired() public {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        vm.warp(uint256(expires) + 1);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.SignatureExpired.selector, expires));
        resolver.resolveWithProof(_response(result, expires, sig), _extraData(request));
    }

    function test_RevertWhen_SignerUnknown() public {
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        bytes memory sig = _sign(strangerKey, address(resolver), expires, request, result);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.UnknownSigner.selector, stranger));
        resolver.resolveWithProof(_response(result, expires, sig), _extraData(request));
    }

    function test_RevertWhen_ResultTampered() public {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        bytes memory forged = abi.encode("data:application/json,{\"publicEncryptionKey\":\"evil\"}");
        _expectSignatureRejected(address(resolver), expires, request, forged, sig);
        resolver.resolveWithProof(_response(forged, expires, sig), _extraData(request));
    }

    function test_RevertWhen_RequestTampered() public {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        bytes memory other =
            _request(ALICE_DNS, abi.encodeWithSignature("text(bytes32,string)", ALICE_NODE, "network.dm3.other"));
        _expectSignatureRejected(address(resolver), expires, other, result, sig);
        resolver.resolveWithProof(_response(result, expires, sig), _extraData(other));
    }

    function test_RevertWhen_ExpiryTampered() public {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        uint64 later = expires + 1 days;
        _expectSignatureRejected(address(resolver), later, request, result, sig);
        resolver.resolveWithProof(_response(result, later, sig), _extraData(request));
    }

    function test_RevertWhen_SignedForAnotherResolver() public {
        address otherResolver = makeAddr("otherResolver");
        bytes memory sig = _sign(signerKey, otherResolver, expires, request, result);
        _expectSignatureRejected(address(resolver), expires, request, result, sig);
        resolver.resolveWithProof(_response(result, expires, sig), _extraData(request));
    }

    function test_RevertWhen_ExtraDataNamesAnotherTarget() public {
        address otherResolver = makeAddr("otherResolver");
        bytes memory sig = _sign(signerKey, otherResolver, expires, request, result);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.TargetMismatch.selector, otherResolver));
        resolver.resolveWithProof(_response(result, expires, sig), abi.encode(request, otherResolver));
    }

    function test_RevertWhen_SignatureIsCompact() public {
        bytes32 digest = resolver.makeSignatureHash(address(resolver), expires, request, result);
        (bytes32 r, bytes32 vs) = vm.signCompact(signerKey, digest);
        // A valid EIP-2098 signature by the trusted signer: rejected for its length alone.
        assertEq(ecrecover(digest, uint8(uint256(vs >> 255)) + 27, r, vs & bytes32(~uint256(0) >> 1)), signer);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.InvalidSignatureLength.selector, 64));
        resolver.resolveWithProof(_response(result, expires, abi.encodePacked(r, vs)), _extraData(request));
    }

    function test_RevertWhen_SignatureIsHighS() public {
        bytes32 digest = resolver.makeSignatureHash(address(resolver), expires, request, result);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, digest);
        bytes32 highS = bytes32(N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        // The malleated signature still recovers the trusted signer: rejected for its high s alone.
        assertEq(ecrecover(digest, flippedV, r, highS), signer);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.InvalidSignatureS.selector, highS));
        resolver.resolveWithProof(_response(result, expires, abi.encodePacked(r, highS, flippedV)), _extraData(request));
    }

    function test_RevertWhen_SignatureUnrecoverable() public {
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, result);
        sig[64] = bytes1(uint8(29)); // v outside {27, 28}
        vm.expectRevert(IOffchainResolver.InvalidSignature.selector);
        resolver.resolveWithProof(_response(result, expires, sig), _extraData(request));
    }

    function test_RevertWhen_SignatureEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.InvalidSignatureLength.selector, 0));
        resolver.resolveWithProof(_response(result, expires, ""), _extraData(request));
    }

    function testFuzz_ResolveWithProof_AcceptsAnySignedAnswer(
        bytes calldata anyResult,
        bytes calldata anyRequest,
        uint64 anyExpires,
        uint256 now_,
        uint256 keySeed
    ) public {
        uint256 key = bound(keySeed, 1, N - 1);
        address anySigner = vm.addr(key);
        if (!resolver.isSigner(anySigner)) {
            vm.prank(owner);
            resolver.addSigners(_list(anySigner));
        }
        vm.warp(bound(now_, 0, anyExpires));

        bytes memory sig = _sign(key, address(resolver), anyExpires, anyRequest, anyResult);
        assertEq(sig.length, 65);
        assertEq(resolver.resolveWithProof(_response(anyResult, anyExpires, sig), _extraData(anyRequest)), anyResult);
    }

    function testFuzz_RevertWhen_ResultBitFlipped(bytes calldata anyResult, uint256 bit) public {
        vm.assume(anyResult.length > 0);
        bytes memory sig = _sign(signerKey, address(resolver), expires, request, anyResult);
        bytes memory flipped = _flipBit(anyResult, bit);
        _expectSignatureRejected(address(resolver), expires, request, flipped, sig);
        resolver.resolveWithProof(_response(flipped, expires, sig), _extraData(request));
    }

    function testFuzz_RevertWhen_RequestBitFlipped(bytes calldata anyRequest, uint256 bit) public {
        vm.assume(anyRequest.length > 0);
        bytes memory sig = _sign(signerKey, address(resolver), expires, anyRequest, result);
        bytes memory flipped = _flipBit(anyRequest, bit);
        _expectSignatureRejected(address(resolver), expires, flipped, result, sig);
        resolver.resolveWithProof(_response(result, expires, sig), _extraData(flipped));
    }

    function testFuzz_RevertWhen_Expired(uint64 anyExpires, uint256 now_) public {
        vm.assume(anyExpires < type(uint64).max);
        bytes memory sig = _sign(signerKey, address(resolver), anyExpires, request, result);
        vm.warp(bound(now_, uint256(anyExpires) + 1, type(uint64).max));
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.SignatureExpired.selector, anyExpires));
        resolver.resolveWithProof(_response(result, anyExpires, sig), _extraData(request));
    }

    function testFuzz_MakeSignatureHash_MatchesLayout(
        address target,
        uint64 anyExpires,
        bytes calldata anyRequest,
        bytes calldata anyResult
    ) public view {
        // 2 + 20 + 8 + 32 + 32 bytes, laid out by hand.
        bytes memory preimage = bytes.concat(
            bytes2(0x1900), bytes20(target), bytes8(anyExpires), keccak256(anyRequest), keccak256(anyResult)
        );
        assertEq(preimage.length, 94);
        assertEq(resolver.makeSignatureHash(target, anyExpires, anyRequest, anyResult), keccak256(preimage));
    }

    // -------------------------------------------------------- shared vectors

    function test_Vectors_MatchResolver() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), VECTORS));
        uint256 count;
        for (uint256 i = 0; vm.keyExistsJson(json, _key(i, "")); ++i) {
            _checkVector(json, i);
            ++count;
        }
        assertGe(count, 5, "expected at least five vectors");
    }

    function test_Vectors_FirstIsReference() public view {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), VECTORS));
        assertEq(vm.parseJsonString(json, _key(0, ".name")), "alice-network-profile");
        assertEq(vm.parseJsonBytes(json, _key(0, ".request")), request);
        assertEq(keccak256(request), 0x305feddfedd03dfed7a82d50a3b7b232e47bcfc05d76b4fc062fd1bf647ea319);
        assertEq(vm.parseJsonBytes(json, _key(0, ".result")), result);
        assertEq(
            vm.parseJsonBytes32(json, _key(0, ".digest")),
            0x8abd30a3d51287ac4506b8eb1d437ec80e3a618fb24b08d9ca8706be05378174
        );
    }

    function _checkVector(string memory json, uint256 i) internal {
        string memory name = vm.parseJsonString(json, _key(i, ".name"));
        uint256 key = vm.parseJsonUint(json, _key(i, ".privateKey"));
        address vSigner = vm.parseJsonAddress(json, _key(i, ".signer"));
        address target = vm.parseJsonAddress(json, _key(i, ".target"));
        uint64 vExpires = uint64(vm.parseJsonUint(json, _key(i, ".expires")));
        bytes memory vRequest = vm.parseJsonBytes(json, _key(i, ".request"));
        bytes memory vResult = vm.parseJsonBytes(json, _key(i, ".result"));
        bytes32 digest = vm.parseJsonBytes32(json, _key(i, ".digest"));
        bytes memory sig = vm.parseJsonBytes(json, _key(i, ".signature"));

        assertEq(vm.addr(key), vSigner, name);
        assertEq(resolver.makeSignatureHash(target, vExpires, vRequest, vResult), digest, name);
        assertEq(sig.length, 65, name);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(sig, abi.encodePacked(r, s, v), string.concat(name, ": RFC 6979 signature differs"));
        assertEq(ecrecover(digest, v, r, s), vSigner, name);

        deployCodeTo("OffchainResolver.sol:OffchainResolver", abi.encode(owner, gatewayUrls, _list(vSigner)), target);
        vm.warp(vExpires);
        assertEq(
            IOffchainResolver(target).resolveWithProof(_response(vResult, vExpires, sig), abi.encode(vRequest, target)),
            vResult,
            name
        );

        vm.warp(uint256(vExpires) + 1);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.SignatureExpired.selector, vExpires));
        IOffchainResolver(target).resolveWithProof(_response(vResult, vExpires, sig), abi.encode(vRequest, target));
    }

    // ------------------------------------------------------------ management

    function test_Constructor_SetsState() public view {
        assertEq(resolver.owner(), owner);
        assertTrue(resolver.isSigner(signer));
        assertEq(resolver.signers(), _list(signer));
        assertEq(resolver.baseUrls(), gatewayUrls);
        assertEq(resolver.urls(), _lookupUrls(gatewayUrls, address(resolver)));
    }

    function test_Constructor_EmitsEvents() public {
        vm.expectEmit();
        emit IOffchainResolver.UrlsChanged(
            gatewayUrls, _lookupUrls(gatewayUrls, vm.computeCreateAddress(address(this), vm.getNonce(address(this))))
        );
        vm.expectEmit();
        emit IOffchainResolver.SignerAdded(signer);
        new OffchainResolver(owner, gatewayUrls, _list(signer));
    }

    function test_RevertWhen_ConstructedWithoutUrls() public {
        vm.expectRevert(IOffchainResolver.NoUrls.selector);
        new OffchainResolver(owner, new string[](0), _list(signer));
    }

    function test_SignerRotation_OldAnswersFailNewPass() public {
        (address next, uint256 nextKey) = makeAddrAndKey("next");
        bytes memory oldSig = _sign(signerKey, address(resolver), expires, request, result);
        bytes memory newSig = _sign(nextKey, address(resolver), expires, request, result);

        vm.expectEmit(address(resolver));
        emit IOffchainResolver.SignerAdded(next);
        vm.prank(owner);
        resolver.addSigners(_list(next));
        // Both are trusted during the overlap.
        assertEq(resolver.resolveWithProof(_response(result, expires, oldSig), _extraData(request)), result);
        assertEq(resolver.resolveWithProof(_response(result, expires, newSig), _extraData(request)), result);

        vm.expectEmit(address(resolver));
        emit IOffchainResolver.SignerRemoved(signer);
        vm.prank(owner);
        resolver.removeSigners(_list(signer));

        assertFalse(resolver.isSigner(signer));
        assertTrue(resolver.isSigner(next));
        assertEq(resolver.signers(), _list(next));
        assertEq(resolver.resolveWithProof(_response(result, expires, newSig), _extraData(request)), result);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.UnknownSigner.selector, signer));
        resolver.resolveWithProof(_response(result, expires, oldSig), _extraData(request));
    }

    function test_SetBaseUrls_ReplacesListAndEmits() public {
        string[] memory next = new string[](1);
        next[0] = "https://new.dm3.example";
        string[] memory built = new string[](1);
        built[0] =
            string.concat("https://new.dm3.example/", Strings.toHexString(address(resolver)), "/{sender}/{data}.json");
        vm.expectEmit(address(resolver));
        emit IOffchainResolver.UrlsChanged(next, built);
        vm.prank(owner);
        resolver.setBaseUrls(next);

        assertEq(resolver.baseUrls(), next);
        assertEq(resolver.urls(), built);

        bytes memory callData = abi.encodeWithSelector(IResolverService.resolve.selector, ALICE_DNS, bytes(""));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOffchainResolver.OffchainLookup.selector,
                address(resolver),
                built,
                callData,
                OffchainResolver.resolveWithProof.selector,
                abi.encode(callData, address(resolver))
            )
        );
        resolver.resolve(ALICE_DNS, "");
    }

    function test_RevertWhen_SetBaseUrlsEmpty() public {
        vm.prank(owner);
        vm.expectRevert(IOffchainResolver.NoUrls.selector);
        resolver.setBaseUrls(new string[](0));
    }

    /// Templates (today's `…/{sender}/{data}.json` form included) and anything a path cannot be appended to are
    /// refused, and the list in force stays as it was.
    function test_RevertWhen_SetBaseUrlsHasInvalidBase() public {
        string[12] memory refused = [
            "",
            "https://",
            "https://gw.dm3.example/",
            "https://gw.dm3.example/{sender}/{data}.json",
            "https://gw.dm3.example/{data}",
            "https://gw.dm3.example?resolver=1",
            "https://gw.dm3.example#x",
            "ftp://gw.dm3.example",
            "gw.dm3.example",
            "HTTPS//gw.dm3.example",
            "https://gw.dm3.example/a b",
            "https://gw.dm3.example\n"
        ];
        string[] memory next = new string[](2);
        next[0] = "https://ok.dm3.example";
        for (uint256 i = 0; i < refused.length; ++i) {
            next[1] = refused[i];
            vm.prank(owner);
            vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.InvalidBaseUrl.selector, 1));
            resolver.setBaseUrls(next);
        }
        assertEq(resolver.baseUrls(), gatewayUrls);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.InvalidBaseUrl.selector, 0));
        new OffchainResolver(owner, _one("https://gw.dm3.example/{sender}/{data}.json"), _list(signer));
    }

    function test_RevertWhen_AddingZeroSigner() public {
        vm.prank(owner);
        vm.expectRevert(IOffchainResolver.ZeroAddressSigner.selector);
        resolver.addSigners(_list(address(0)));
    }

    function test_RevertWhen_AddingSignerTwice() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.SignerAlreadyAdded.selector, signer));
        resolver.addSigners(_list(signer));
    }

    function test_RevertWhen_RemovingUnknownSigner() public {
        address stranger = makeAddr("stranger");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.SignerNotFound.selector, stranger));
        resolver.removeSigners(_list(stranger));
    }

    function testFuzz_RevertWhen_NotOwnerManages(address caller) public {
        vm.assume(caller != owner);
        bytes memory unauthorized = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        resolver.addSigners(_list(caller));

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        resolver.removeSigners(_list(signer));

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        resolver.setBaseUrls(gatewayUrls);

        vm.prank(caller);
        vm.expectRevert(unauthorized);
        resolver.transferOwnership(caller);
    }

    function test_Ownership_TransfersInTwoSteps() public {
        address next = makeAddr("nextOwner");
        vm.prank(owner);
        resolver.transferOwnership(next);
        assertEq(resolver.owner(), owner);
        assertEq(resolver.pendingOwner(), next);

        vm.prank(next);
        resolver.acceptOwnership();
        assertEq(resolver.owner(), next);

        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        resolver.addSigners(_list(makeAddr("late")));
    }

    function test_SupportsInterface() public view {
        assertTrue(resolver.supportsInterface(type(IERC165).interfaceId));
        assertTrue(resolver.supportsInterface(0x01ffc9a7));
        assertTrue(resolver.supportsInterface(0x9061b923));
        assertTrue(resolver.supportsInterface(0x582de3e7)); // ERC-7996
        assertFalse(resolver.supportsInterface(0xffffffff));
        assertFalse(resolver.supportsInterface(0x3b3b57de)); // addr(bytes32): records are off-chain
        assertFalse(resolver.supportsInterface(RESOLVE_MULTICALL)); // a feature, not an interface
    }

    function test_SupportsFeature_OnlyResolveMulticall() public view {
        assertTrue(resolver.supportsFeature(RESOLVE_MULTICALL));
        assertFalse(resolver.supportsFeature(0x00000000));
        assertFalse(resolver.supportsFeature(0x582de3e7));
        assertFalse(resolver.supportsFeature(0x9061b923));
    }

    function testFuzz_SupportsFeature_FalseForOthers(bytes4 featureId) public view {
        vm.assume(featureId != RESOLVE_MULTICALL);
        assertFalse(resolver.supportsFeature(featureId));
    }

    /// What the UniversalResolver checks before it takes the direct path, as raw ERC-165 / ERC-7996 calls.
    function test_FeatureDetection_AsRawCalls() public view {
        (bool ok, bytes memory ret) =
            address(resolver).staticcall(abi.encodeWithSelector(0x01ffc9a7, bytes4(0x582de3e7)));
        assertTrue(ok);
        assertEq(ret, abi.encode(true));
        (ok, ret) = address(resolver).staticcall(abi.encodeWithSelector(0x582de3e7, RESOLVE_MULTICALL));
        assertTrue(ok);
        assertEq(ret, abi.encode(true));
    }

    // ---------------------------------------------------------------- helpers

    function _request(bytes memory name, bytes memory data) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IResolverService.resolve.selector, name, data);
    }

    function _extraData(bytes memory callData) internal view returns (bytes memory) {
        return abi.encode(callData, address(resolver));
    }

    function _response(bytes memory res, uint64 exp, bytes memory sig) internal pure returns (bytes memory) {
        return abi.encode(res, exp, sig);
    }

    function _sign(uint256 key, address target, uint64 exp, bytes memory req, bytes memory res)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, resolver.makeSignatureHash(target, exp, req, res));
        return abi.encodePacked(r, s, v);
    }

    /// Expects the revert for a well-formed signature that does not match (target, exp, req, res) as verified:
    /// some other address is recovered, so `UnknownSigner(that address)`.
    function _expectSignatureRejected(address target, uint64 exp, bytes memory req, bytes memory res, bytes memory sig)
        internal
    {
        bytes32 digest = resolver.makeSignatureHash(target, exp, req, res);
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        address recovered = ecrecover(digest, uint8(sig[64]), r, s);
        assertNotEq(recovered, signer);
        if (recovered == address(0)) {
            vm.expectRevert(IOffchainResolver.InvalidSignature.selector);
        } else {
            vm.expectRevert(abi.encodeWithSelector(IOffchainResolver.UnknownSigner.selector, recovered));
        }
    }

    function _flipBit(bytes memory data, uint256 bit) internal pure returns (bytes memory flipped) {
        bit = bit % (data.length * 8);
        flipped = bytes.concat(data);
        flipped[bit / 8] ^= bytes1(0x80) >> (bit % 8);
    }

    /// The lookup URL templates expected for `bases` on a resolver at `at`.
    function _lookupUrls(string[] memory bases, address at) internal pure returns (string[] memory built) {
        built = new string[](bases.length);
        for (uint256 i = 0; i < bases.length; ++i) {
            built[i] = string.concat(bases[i], "/", Strings.toHexString(at), "/{sender}/{data}.json");
        }
    }

    function _one(string memory url) internal pure returns (string[] memory list) {
        list = new string[](1);
        list[0] = url;
    }

    /// Calls `resolve` and returns its `OffchainLookup` fields (external so that fuzz inputs stay calldata).
    function lookup(bytes calldata name, bytes calldata data)
        external
        view
        returns (address, string[] memory, bytes memory, bytes4, bytes memory)
    {
        try resolver.resolve(name, data) {
            revert("resolve returned");
        } catch (bytes memory err) {
            // casting to 'bytes4' is safe because it takes the selector, the first four bytes
            // forge-lint: disable-next-line(unsafe-typecast)
            assertEq(bytes4(err), IOffchainResolver.OffchainLookup.selector);
            return this.decodeLookup(err);
        }
    }

    /// Decodes `OffchainLookup` revert data (external so that it can slice calldata).
    function decodeLookup(bytes calldata err)
        external
        pure
        returns (address, string[] memory, bytes memory, bytes4, bytes memory)
    {
        return abi.decode(err[4:], (address, string[], bytes, bytes4, bytes));
    }

    function _key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".vectors[", vm.toString(i), "]", field);
    }

    function _list(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }
}
