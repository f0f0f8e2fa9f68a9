// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IERC7996
/// @notice ERC-7996 contract features: capabilities that no ERC-165 interface can express.
/// @dev Interface id `0x582de3e7` (the selector of `supportsFeature(bytes4)`). A contract that implements it
/// also answers `supportsInterface(0x582de3e7)` with true. See https://docs.ens.domains/ensip/22.
interface IERC7996 {
    /// @notice Whether the contract supports the feature `featureId`.
    /// @dev Declaring a feature is a promise, not a proof: callers still check what they receive.
    /// @param featureId The feature, by convention the first four bytes of the keccak256 of a reverse-domain name.
    /// @return True if the feature is supported.
    function supportsFeature(bytes4 featureId) external view returns (bool);
}

// ENSIP-22 `eth.ens.resolver.extended.multicall` (`bytes4(keccak256(...))` = `0x96b62db8`): the resolver's
// ENSIP-10 `resolve(name, data)` handles `data = multicall(bytes[])` as one lookup and answers
// `abi.encode(bytes[] results)`, so the UniversalResolver may call it directly, without the ENSIP-21 batch gateway.
bytes4 constant RESOLVE_MULTICALL_FEATURE = bytes4(keccak256("eth.ens.resolver.extended.multicall"));
