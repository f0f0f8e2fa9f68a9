// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IExtendedResolver
/// @notice The wildcard resolution entry point of ENSIP-10.
/// @dev Interface id `0x9061b923`. See https://docs.ens.domains/ensip/10.
interface IExtendedResolver {
    /// @notice Resolves a record of `name`, possibly through an EIP-3668 `OffchainLookup`.
    /// @param name The DNS wire-format encoding of the name being resolved.
    /// @param data The ABI-encoded call to the record function, e.g. `text(bytes32,string)`.
    /// @return The ABI-encoded return value of that record function.
    function resolve(bytes memory name, bytes memory data) external view returns (bytes memory);
}
