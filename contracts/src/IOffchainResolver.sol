// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7996} from "./IERC7996.sol";
import {IExtendedResolver} from "./IExtendedResolver.sol";

/// @title IOffchainResolver
/// @notice An ENSIP-10 resolver that answers every query with an EIP-3668 `OffchainLookup` and accepts the
/// gateway's answer only when it carries an unexpired signature by one of its trusted signers.
/// @dev The signed digest is the one of ENS's `OffchainResolver`:
/// `keccak256(0x1900 ‖ target ‖ uint64 expires ‖ keccak256(request) ‖ keccak256(result))`, signed as is (no
/// EIP-191 personal-message prefix). No chain id is bound: the resolver address `target` is the only domain
/// separator.
///
/// Gateway URLs are built by the contract, not taken as templates: the owner sets base URLs and every lookup URL
/// is `<base>/<this resolver, 0x-hex lower case>/{sender}/{data}.json`. On the ENS UniversalResolver's direct path
/// (ENSIP-22/23) the client's `sender` is the UniversalResolver, not this contract, so a gateway that took the
/// resolver from `{sender}` would sign for the wrong address; with the address in the path the gateway always
/// learns which resolver to sign for, whatever base the owner sets.
interface IOffchainResolver is IExtendedResolver, IERC7996 {
    /// @notice Thrown by `resolve` to ask the client to fetch the answer from a gateway (EIP-3668).
    /// @param sender The resolver; the client calls `callbackFunction` on it.
    /// @param urls The gateway URL templates, tried in order: `<base>/<this resolver>/{sender}/{data}.json`.
    /// @param callData The request for the gateway: `IResolverService.resolve(name, data)`.
    /// @param callbackFunction `resolveWithProof.selector`.
    /// @param extraData `abi.encode(callData, address(this))`, handed back to `resolveWithProof`.
    error OffchainLookup(address sender, string[] urls, bytes callData, bytes4 callbackFunction, bytes extraData);

    /// @notice Thrown when `extraData` names a resolver other than this one.
    /// @param target The resolver address found in `extraData`.
    error TargetMismatch(address target);

    /// @notice Thrown when the gateway's answer expired before the current block.
    /// @param expires The expiry (Unix seconds) the answer was signed with.
    error SignatureExpired(uint64 expires);

    /// @notice Thrown when the signature is not a valid 65-byte secp256k1 signature (no signer can be recovered).
    error InvalidSignature();

    /// @notice Thrown when the signature is not 65 bytes long; 64-byte (EIP-2098 compact) signatures are rejected.
    /// @param length The length of the signature received.
    error InvalidSignatureLength(uint256 length);

    /// @notice Thrown when the signature's `s` is in the upper half of the curve order (a malleable signature).
    /// @param s The `s` value received.
    error InvalidSignatureS(bytes32 s);

    /// @notice Thrown when the signature is valid but its signer is not trusted by this resolver.
    /// @param signer The recovered signer.
    error UnknownSigner(address signer);

    /// @notice Thrown when adding the zero address as a signer.
    error ZeroAddressSigner();

    /// @notice Thrown when adding a signer that is already trusted.
    /// @param signer The signer.
    error SignerAlreadyAdded(address signer);

    /// @notice Thrown when removing a signer that is not trusted.
    /// @param signer The signer.
    error SignerNotFound(address signer);

    /// @notice Thrown when setting an empty list of gateway base URLs.
    error NoUrls();

    /// @notice Thrown when a gateway base URL is not of the form `http(s)://host[/path]`: it is empty, has another
    /// scheme, ends in `/`, or holds `{`, `}`, `?`, `#`, a space or a control character (an EIP-3668 template such as
    /// `…/{sender}/{data}.json` is refused rather than extended into a URL that would not name the resolver where the
    /// gateway reads it).
    /// @param index The position of the refused base URL in the list.
    error InvalidBaseUrl(uint256 index);

    /// @notice Emitted when `signer` becomes trusted.
    /// @param signer The signer added.
    event SignerAdded(address indexed signer);

    /// @notice Emitted when `signer` stops being trusted.
    /// @param signer The signer removed.
    event SignerRemoved(address indexed signer);

    /// @notice Emitted when the gateway base URLs are replaced.
    /// @param baseUrls The new base URLs.
    /// @param urls The lookup URL templates built from them, as `resolve` emits them.
    event UrlsChanged(string[] baseUrls, string[] urls);

    /// @notice The EIP-3668 callback: verifies the gateway's signed answer and returns the record.
    /// @dev Checks, in order: `extraData` names this resolver, the answer has not expired
    /// (`expires >= block.timestamp`), the signature is a 65-byte low-`s` signature over
    /// `makeSignatureHash(address(this), expires, request, result)`, and its signer is trusted. It does not check that
    /// `request` is the call this resolver emitted: EIP-3668 clients hand `extraData` back unchanged, and the
    /// signature binds the result to the request.
    /// @param response The gateway's answer, `abi.encode(bytes result, uint64 expires, bytes sig)`.
    /// @param extraData `abi.encode(bytes request, address target)`, as emitted by `resolve`.
    /// @return The ABI-encoded record, `result`.
    function resolveWithProof(bytes calldata response, bytes calldata extraData) external view returns (bytes memory);

    /// @notice The digest a gateway signs for an answer.
    /// @dev `keccak256(0x1900 ‖ target ‖ expires (8 bytes, big-endian) ‖ keccak256(request) ‖
    /// keccak256(result))`.
    /// Signers sign this 32-byte value directly, without the EIP-191 personal-message prefix.
    /// @param target The resolver the answer is for.
    /// @param expires Unix time (seconds) after which the answer is invalid.
    /// @param request The EIP-3668 `callData` the gateway received.
    /// @param result The ABI-encoded record.
    /// @return The digest.
    function makeSignatureHash(address target, uint64 expires, bytes memory request, bytes memory result)
        external
        pure
        returns (bytes32);

    /// @notice Trusts each of `newSigners`. Only the owner.
    /// @param newSigners The signers to add; none may be zero or already trusted.
    function addSigners(address[] calldata newSigners) external;

    /// @notice Stops trusting each of `oldSigners`. Only the owner. Answers they signed stop verifying at once.
    /// @param oldSigners The signers to remove; each must be trusted.
    function removeSigners(address[] calldata oldSigners) external;

    /// @notice Replaces the gateway base URLs. Only the owner.
    /// @dev Each base `b` becomes the lookup URL `b/<this resolver>/{sender}/{data}.json` (a GET, which HTTP caches
    /// may store). The resolver's address is written by the contract, so no base can leave it out.
    /// @param newBaseUrls The new, non-empty list of base URLs, e.g. `https://gw.example` or
    /// `https://example.org/gateway`; see `InvalidBaseUrl` for what is refused.
    function setBaseUrls(string[] calldata newBaseUrls) external;

    /// @notice Whether answers signed by `account` are accepted.
    /// @param account The address to check.
    /// @return True if `account` is a trusted signer.
    function isSigner(address account) external view returns (bool);

    /// @notice All trusted signers, in no particular order.
    /// @return The signers.
    function signers() external view returns (address[] memory);

    /// @notice The gateway base URLs, as set by the owner.
    /// @return The base URLs.
    function baseUrls() external view returns (string[] memory);

    /// @notice The lookup URL templates `resolve` emits, in the order clients try them.
    /// @return The URLs, `<base>/<this resolver>/{sender}/{data}.json` for each base URL.
    function urls() external view returns (string[] memory);
}
