// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IResolverService
/// @notice The call a CCIP-read client sends to the gateway (EIP-3668 `callData`).
/// @dev Never deployed or called on-chain; the resolver uses it only for its selector, `0x9061b923`, which is the
/// same as `IExtendedResolver.resolve` because the argument types are the same. The gateway answers with
/// `abi.encode(result, expires, sig)`, see `IOffchainResolver.resolveWithProof`.
interface IResolverService {
    /// @notice Answers a resolution request off-chain.
    /// @param name The DNS wire-format encoding of the name being resolved.
    /// @param data The ABI-encoded call to the record function.
    /// @return result The ABI-encoded return value of the record function.
    /// @return expires Unix time (seconds) after which the answer must be rejected.
    /// @return sig The signer's 65-byte `r ‖ s ‖ v` signature over `IOffchainResolver.makeSignatureHash`.
    function resolve(bytes calldata name, bytes calldata data)
        external
        view
        returns (bytes memory result, uint64 expires, bytes memory sig);
}
