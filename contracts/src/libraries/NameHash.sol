// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NameHash
/// @notice ENS namehash (ENSIP-1) of a dot-separated name.
/// @dev Does not normalize (ENSIP-15): pass names that are already normalized, e.g. "dm3.eth".
library NameHash {
    /// @notice Thrown when the name has an empty label, e.g. "a..eth", ".eth" or "eth.".
    /// @param name The name.
    error EmptyLabel(string name);

    /// @notice The namehash of `name`; the empty string hashes to the root node, `bytes32(0)`.
    /// @param name A normalized, dot-separated name.
    /// @return node The namehash.
    function namehash(string memory name) internal pure returns (bytes32 node) {
        bytes memory b = bytes(name);
        if (b.length == 0) return bytes32(0);
        uint256 end = b.length;
        for (uint256 i = b.length; i > 0; --i) {
            if (b[i - 1] == ".") {
                node = _hashLabel(node, b, i, end, name);
                end = i - 1;
            }
        }
        node = _hashLabel(node, b, 0, end, name);
    }

    function _hashLabel(bytes32 parent, bytes memory b, uint256 start, uint256 end, string memory name)
        private
        pure
        returns (bytes32 node)
    {
        if (end <= start) revert EmptyLabel(name);
        bytes32 labelHash;
        assembly ("memory-safe") {
            labelHash := keccak256(add(add(b, 0x20), start), sub(end, start))
        }
        node = keccak256(abi.encodePacked(parent, labelHash));
    }
}
