// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7996, RESOLVE_MULTICALL_FEATURE} from "./IERC7996.sol";
import {IExtendedResolver} from "./IExtendedResolver.sol";
import {IOffchainResolver} from "./IOffchainResolver.sol";
import {IResolverService} from "./IResolverService.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/// @title OffchainResolver
/// @notice ENSIP-10 resolver for dm3 names whose records live in an off-chain gateway (EIP-3668 CCIP-read).
/// @dev `resolve` always reverts with `OffchainLookup`; clients fetch the answer from one of `urls()` and pass it to
/// `resolveWithProof`, which accepts it only when signed by a trusted signer for this resolver's address.
/// Ownership moves in two steps (`transferOwnership` + `acceptOwnership`).
///
/// ERC-7996 / ENSIP-22: advertises `eth.ens.resolver.extended.multicall`, so the ENS UniversalResolver calls
/// `resolve(name, multicall(calls))` directly and re-raises the lookup as its own (the direct path, `sender` = the
/// UniversalResolver). Lookup URLs therefore carry this contract's address in their path (see `IOffchainResolver`):
/// the gateway reads the resolver to sign for from the URL, never from `sender`.
contract OffchainResolver is IOffchainResolver, Ownable2Step, ERC165 {
    using EnumerableSet for EnumerableSet.AddressSet;

    EnumerableSet.AddressSet private _signers;
    string[] private _baseUrls;
    /// The lookup URL templates, built from `_baseUrls` when they are set so that `resolve` only copies them.
    string[] private _urls;

    /// @param initialOwner The account allowed to manage signers and URLs.
    /// @param initialBaseUrls The gateway base URLs (see `setBaseUrls`); must be non-empty.
    /// @param initialSigners The trusted signers.
    constructor(address initialOwner, string[] memory initialBaseUrls, address[] memory initialSigners)
        Ownable(initialOwner)
    {
        _setBaseUrls(initialBaseUrls);
        _addSigners(initialSigners);
    }

    /// @inheritdoc IExtendedResolver
    /// @dev Always reverts with `OffchainLookup`; `name` and `data` are forwarded to the gateway unchecked. `data`
    /// may be a `multicall(bytes[])` of record calls (ENSIP-22): the gateway answers all of them in one signed
    /// `abi.encode(bytes[])`, which `resolveWithProof` returns like any other result.
    function resolve(bytes calldata name, bytes calldata data) external view returns (bytes memory) {
        bytes memory callData = abi.encodeWithSelector(IResolverService.resolve.selector, name, data);
        revert OffchainLookup(
            address(this), _urls, callData, this.resolveWithProof.selector, abi.encode(callData, address(this))
        );
    }

    /// @inheritdoc IOffchainResolver
    function resolveWithProof(bytes calldata response, bytes calldata extraData) external view returns (bytes memory) {
        (bytes memory request, address target) = abi.decode(extraData, (bytes, address));
        if (target != address(this)) revert TargetMismatch(target);

        (bytes memory result, uint64 expires, bytes memory sig) = abi.decode(response, (bytes, uint64, bytes));
        // Expiry is minutes to days ahead; a validator's few seconds of timestamp leeway do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        if (expires < block.timestamp) revert SignatureExpired(expires);

        bytes32 digest = makeSignatureHash(address(this), expires, request, result);
        (address signer, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecover(digest, sig);
        if (err == ECDSA.RecoverError.InvalidSignatureLength) revert InvalidSignatureLength(uint256(errArg));
        if (err == ECDSA.RecoverError.InvalidSignatureS) revert InvalidSignatureS(errArg);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature();
        if (!_signers.contains(signer)) revert UnknownSigner(signer);

        return result;
    }

    /// @inheritdoc IOffchainResolver
    function makeSignatureHash(address target, uint64 expires, bytes memory request, bytes memory result)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(hex"1900", target, expires, keccak256(request), keccak256(result)));
    }

    /// @inheritdoc IOffchainResolver
    function addSigners(address[] calldata newSigners) external onlyOwner {
        _addSigners(newSigners);
    }

    /// @inheritdoc IOffchainResolver
    function removeSigners(address[] calldata oldSigners) external onlyOwner {
        for (uint256 i = 0; i < oldSigners.length; ++i) {
            if (!_signers.remove(oldSigners[i])) revert SignerNotFound(oldSigners[i]);
            emit SignerRemoved(oldSigners[i]);
        }
    }

    /// @inheritdoc IOffchainResolver
    function setBaseUrls(string[] calldata newBaseUrls) external onlyOwner {
        _setBaseUrls(newBaseUrls);
    }

    /// @inheritdoc IOffchainResolver
    function isSigner(address account) external view returns (bool) {
        return _signers.contains(account);
    }

    /// @inheritdoc IOffchainResolver
    function signers() external view returns (address[] memory) {
        return _signers.values();
    }

    /// @inheritdoc IOffchainResolver
    function baseUrls() external view returns (string[] memory) {
        return _baseUrls;
    }

    /// @inheritdoc IOffchainResolver
    function urls() external view returns (string[] memory) {
        return _urls;
    }

    /// @inheritdoc IERC7996
    /// @dev True only for ENSIP-22 `eth.ens.resolver.extended.multicall` (`0x96b62db8`).
    function supportsFeature(bytes4 featureId) external pure returns (bool) {
        return featureId == RESOLVE_MULTICALL_FEATURE;
    }

    /// @notice ERC-165: true for ERC-165 itself (`0x01ffc9a7`), `IExtendedResolver` (`0x9061b923`) and ERC-7996
    /// (`0x582de3e7`).
    /// @param interfaceId The interface id to check.
    /// @return Whether the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IExtendedResolver).interfaceId || interfaceId == type(IERC7996).interfaceId
            || super.supportsInterface(interfaceId);
    }

    function _addSigners(address[] memory newSigners) private {
        for (uint256 i = 0; i < newSigners.length; ++i) {
            if (newSigners[i] == address(0)) revert ZeroAddressSigner();
            if (!_signers.add(newSigners[i])) revert SignerAlreadyAdded(newSigners[i]);
            emit SignerAdded(newSigners[i]);
        }
    }

    /// Checks each base URL and stores it with its lookup URL `<base>/<address(this)>/{sender}/{data}.json`.
    function _setBaseUrls(string[] memory newBaseUrls) private {
        if (newBaseUrls.length == 0) revert NoUrls();
        string memory path = string.concat("/", Strings.toHexString(address(this)), "/{sender}/{data}.json");
        string[] memory built = new string[](newBaseUrls.length);
        for (uint256 i = 0; i < newBaseUrls.length; ++i) {
            if (!_isBaseUrl(bytes(newBaseUrls[i]))) revert InvalidBaseUrl(i);
            built[i] = string.concat(newBaseUrls[i], path);
        }
        _baseUrls = newBaseUrls;
        _urls = built;
        emit UrlsChanged(newBaseUrls, built);
    }

    /// Whether `url` is `http://` or `https://` followed by at least one character, with no `{`, `}`, `?`, `#`,
    /// space or control character anywhere and no trailing `/`: what can be extended by a path without changing its
    /// meaning.
    function _isBaseUrl(bytes memory url) private pure returns (bool) {
        uint256 scheme;
        if (_startsWith(url, "https://")) scheme = 8;
        else if (_startsWith(url, "http://")) scheme = 7;
        else return false;
        if (url.length == scheme || url[url.length - 1] == "/") return false;
        for (uint256 i = scheme; i < url.length; ++i) {
            bytes1 c = url[i];
            if (c == "{" || c == "}" || c == "?" || c == "#" || uint8(c) <= 0x20 || uint8(c) == 0x7f) return false;
        }
        return true;
    }

    function _startsWith(bytes memory text, bytes memory prefix) private pure returns (bool) {
        if (text.length < prefix.length) return false;
        for (uint256 i = 0; i < prefix.length; ++i) {
            if (text[i] != prefix[i]) return false;
        }
        return true;
    }
}
