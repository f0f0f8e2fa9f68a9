// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IExtendedResolver} from "./IExtendedResolver.sol";
import {IOffchainResolver} from "./IOffchainResolver.sol";
import {IResolverService} from "./IResolverService.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/// @title OffchainResolver
/// @notice ENSIP-10 resolver for dm3 names whose records live in an off-chain gateway (EIP-3668 CCIP-read).
/// @dev `resolve` always reverts with `OffchainLookup`; clients fetch the answer from one of `urls()` and pass it to
/// `resolveWithProof`, which accepts it only when signed by a trusted signer for this resolver's address.
/// Ownership moves in two steps (`transferOwnership` + `acceptOwnership`).
contract OffchainResolver is IOffchainResolver, Ownable2Step, ERC165 {
    using EnumerableSet for EnumerableSet.AddressSet;

    EnumerableSet.AddressSet private _signers;
    string[] private _urls;

    /// @param initialOwner The account allowed to manage signers and URLs.
    /// @param initialUrls The gateway URL templates; must be non-empty.
    /// @param initialSigners The trusted signers.
    constructor(address initialOwner, string[] memory initialUrls, address[] memory initialSigners)
        Ownable(initialOwner)
    {
        _setUrls(initialUrls);
        _addSigners(initialSigners);
    }

    /// @inheritdoc IExtendedResolver
    /// @dev Always reverts with `OffchainLookup`; `name` and `data` are forwarded to the gateway unchecked.
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
    function setUrls(string[] calldata newUrls) external onlyOwner {
        _setUrls(newUrls);
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
    function urls() external view returns (string[] memory) {
        return _urls;
    }

    /// @notice ERC-165: true for ERC-165 itself and for `IExtendedResolver` (`0x9061b923`).
    /// @param interfaceId The interface id to check.
    /// @return Whether the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IExtendedResolver).interfaceId || super.supportsInterface(interfaceId);
    }

    function _addSigners(address[] memory newSigners) private {
        for (uint256 i = 0; i < newSigners.length; ++i) {
            if (newSigners[i] == address(0)) revert ZeroAddressSigner();
            if (!_signers.add(newSigners[i])) revert SignerAlreadyAdded(newSigners[i]);
            emit SignerAdded(newSigners[i]);
        }
    }

    function _setUrls(string[] memory newUrls) private {
        if (newUrls.length == 0) revert NoUrls();
        for (uint256 i = 0; i < newUrls.length; ++i) {
            if (bytes(newUrls[i]).length == 0) revert EmptyUrl(i);
        }
        _urls = newUrls;
        emit UrlsChanged(newUrls);
    }
}
