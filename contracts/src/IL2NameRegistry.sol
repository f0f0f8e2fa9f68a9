// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IL2NameRegistry
/// @notice A registry of subnames of one parent (e.g. `dm3.eth`) that lives on an L2, so that users own and update
/// their names paying only L2 gas. L1 clients resolve `alice.dm3.eth` through the L1 `OffchainResolver` and
/// CCIP-read (EIP-3668): the gateway reads this contract with the view functions below and signs the answer (the
/// trusted "signed L2 read" model of ENS's Durin).
/// @dev Names are keyed by ENS node, `namehash(label ‖ "." ‖ parentName)` (ENSIP-1), so the gateway can pass the
/// node
/// of the L1 query unchanged. Records (text, addresses, contenthash) belong to a record version of the node
/// (as in ENS's `IVersionableResolver`): `transfer` and `release` bump the version, which makes every record set by a
/// previous owner disappear at once. The read functions and their events have the shapes of ENS's `PublicResolver`
/// (ENSIP-1 `addr`, ENSIP-5 `text`, ENSIP-7 `contenthash`, ENSIP-9 multicoin `addr`). Reads of unregistered names
/// return empty values and never revert.
interface IL2NameRegistry {
    /// @notice Thrown when registering a label that is already registered.
    /// @param label The label.
    error LabelTaken(string label);

    /// @notice Thrown when a label is outside the on-chain label subset (see `register`).
    /// @param label The label.
    error InvalidLabel(string label);

    /// @notice Thrown when someone other than the name's owner tries to change it.
    /// @param node The name's node.
    /// @param caller The caller.
    error NotOwner(bytes32 node, address caller);

    /// @notice Thrown when changing a node that has no owner (never registered, or released).
    /// @param node The node.
    error NameNotRegistered(bytes32 node);

    /// @notice Thrown when registering or transferring a name to the zero address (use `release` instead).
    error ZeroAddressOwner();

    /// @notice Thrown when `setRecords` gets a different number of keys and values.
    error LengthMismatch();

    /// @notice Thrown when an Ethereum address record (coin type 60) is neither 20 bytes nor empty.
    /// @param length The length of the value received.
    error InvalidEthAddressLength(uint256 length);

    /// @notice Thrown by the constructor when `parentNode` is not `namehash(parentName)`.
    /// @param expected `namehash(parentName)`.
    /// @param actual The `parentNode` received.
    error ParentNodeMismatch(bytes32 expected, bytes32 actual);

    /// @notice Emitted when `label` is registered to `owner`.
    /// @param node The new name's node.
    /// @param label The label.
    /// @param owner The owner.
    event NameRegistered(bytes32 indexed node, string label, address indexed owner);

    /// @notice Emitted when a name changes owner; its records were cleared (see `VersionChanged`).
    /// @param node The name's node.
    /// @param from The previous owner.
    /// @param to The new owner.
    event NameTransferred(bytes32 indexed node, address indexed from, address indexed to);

    /// @notice Emitted when a name is released: it has no owner and no records, and its label is free again.
    /// @param node The name's node.
    /// @param owner The owner who released it.
    event NameReleased(bytes32 indexed node, address indexed owner);

    /// @notice Emitted when all records of `node` are cleared at once (ENS `IVersionableResolver` event).
    /// @param node The node.
    /// @param newVersion The record version now in use.
    event VersionChanged(bytes32 indexed node, uint64 newVersion);

    /// @notice Emitted when a text record changes (ENSIP-5, ENS `PublicResolver` event).
    /// @param node The node.
    /// @param indexedKey The key, indexed (its keccak256 hash in the log topic).
    /// @param key The key.
    /// @param value The new value.
    event TextChanged(bytes32 indexed node, string indexed indexedKey, string key, string value);

    /// @notice Emitted when an address record of any coin type changes (ENSIP-9, ENS `PublicResolver` event).
    /// @param node The node.
    /// @param coinType The SLIP-44 / ENSIP-11 coin type.
    /// @param newAddress The new address, in the coin's binary encoding.
    event AddressChanged(bytes32 indexed node, uint256 coinType, bytes newAddress);

    /// @notice Emitted when the Ethereum address (coin type 60) changes (ENSIP-1, ENS `PublicResolver` event).
    /// @param node The node.
    /// @param a The new address.
    event AddrChanged(bytes32 indexed node, address a);

    /// @notice Emitted when the contenthash changes (ENSIP-7, ENS `PublicResolver` event).
    /// @param node The node.
    /// @param hash The new contenthash.
    event ContenthashChanged(bytes32 indexed node, bytes hash);

    /// @notice Registers `label` under the parent for `owner`, first come, first served, free of charge.
    /// @dev Anyone may register a free label for any non-zero owner, so a wallet, relayer or onboarding service can
    /// pay the L2 gas for a user. This gives the caller no rights over the name; it cannot stop anyone from pointing
    /// a name at an address either (any resolver can do that). The label must be 1 to 255 bytes of `a`–`z`, `0`–`9`
    /// and `-`, must not start or end with `-`, and must not have `-` as both its 3rd and 4th character (the ENSIP-15
    /// "label extension" rule, e.g. `xn--`). ENSIP-15 normalization of arbitrary Unicode cannot be done on-chain:
    /// the gateway and clients apply full ENSIP-15, and this ASCII subset, every label of which is already
    /// ENSIP-15-normalized, is what the contract accepts. Sets the Ethereum address (coin type 60) to `owner`.
    /// @param label The label, e.g. "alice" for `alice.dm3.eth`.
    /// @param nameOwner The new owner; not the zero address.
    /// @return node The name's node, `keccak256(parentNode ‖ keccak256(label))`.
    function register(string calldata label, address nameOwner) external returns (bytes32 node);

    /// @notice Sets a text record (ENSIP-5). Only the owner.
    /// @param node The node.
    /// @param key The key, e.g. "network.dm3.profile".
    /// @param value The value; the empty string clears the record.
    function setText(bytes32 node, string calldata key, string calldata value) external;

    /// @notice Sets several text records at once. Only the owner. Emits `TextChanged` for each.
    /// @param node The node.
    /// @param keys The keys.
    /// @param values The values, in the order of `keys`; must be as many.
    function setRecords(bytes32 node, string[] calldata keys, string[] calldata values) external;

    /// @notice Sets the address for a coin type (ENSIP-9, ENSIP-11). Only the owner.
    /// @dev The value is not checked against the coin's encoding, except for coin type 60 (Ethereum), which must be 20
    /// bytes or empty (to clear); setting coin type 60 also emits `AddrChanged`.
    /// @param node The node.
    /// @param coinType The coin type.
    /// @param value The address in the coin's binary encoding.
    function setAddr(bytes32 node, uint256 coinType, bytes calldata value) external;

    /// @notice Sets the Ethereum address (coin type 60). Only the owner.
    /// @param node The node.
    /// @param a The address; the zero address is stored as 20 zero bytes.
    function setAddr(bytes32 node, address a) external;

    /// @notice Sets the contenthash (ENSIP-7). Only the owner. The value is not checked.
    /// @param node The node.
    /// @param hash The contenthash; empty clears it.
    function setContenthash(bytes32 node, bytes calldata hash) external;

    /// @notice Gives the name to `newOwner`. Only the owner.
    /// @dev Bumps the record version, so every record of the previous owner disappears, including the dm3 profile
    /// (`network.dm3.profile`, `eth.dm3.profile`) whose signature no longer matches the owner; then sets the Ethereum
    /// address to `newOwner`. Transferring to the current owner is allowed and clears the records the same way.
    /// @param node The node.
    /// @param newOwner The new owner; not the zero address.
    function transfer(bytes32 node, address newOwner) external;

    /// @notice Gives the name up. Only the owner. The owner and all records are cleared and the label is free to be
    /// registered again by anyone; records never carry over to a later registration.
    /// @param node The node.
    function release(bytes32 node) external;

    /// @notice The parent name the labels are registered under, e.g. "dm3.eth".
    /// @return The parent name.
    function parentName() external view returns (string memory);

    /// @notice `namehash(parentName())`.
    /// @return The parent node.
    function parentNode() external view returns (bytes32);

    /// @notice The owner of a name.
    /// @param node The node.
    /// @return The owner; the zero address if the name is not registered.
    function owner(bytes32 node) external view returns (address);

    /// @notice A text record (ENSIP-5).
    /// @param node The node.
    /// @param key The key.
    /// @return The value; empty if unset.
    function text(bytes32 node, string calldata key) external view returns (string memory);

    /// @notice The Ethereum address (ENSIP-1).
    /// @param node The node.
    /// @return The address; zero if unset.
    function addr(bytes32 node) external view returns (address payable);

    /// @notice The address for a coin type (ENSIP-9).
    /// @param node The node.
    /// @param coinType The coin type.
    /// @return The address in the coin's binary encoding; empty if unset.
    function addr(bytes32 node, uint256 coinType) external view returns (bytes memory);

    /// @notice The contenthash (ENSIP-7).
    /// @param node The node.
    /// @return The contenthash; empty if unset.
    function contenthash(bytes32 node) external view returns (bytes memory);

    /// @notice The label a node was registered with.
    /// @param node The node.
    /// @return The label; empty if the name is not registered.
    function labelOf(bytes32 node) external view returns (string memory);

    /// @notice The node of `label` under the parent, `keccak256(parentNode ‖ keccak256(label))`.
    /// @dev Pure arithmetic: does not check that the label is valid or registered.
    /// @param label The label.
    /// @return The node.
    function nodeOf(string calldata label) external view returns (bytes32);

    /// @notice The record version of a node; records of earlier versions are no longer readable.
    /// @param node The node.
    /// @return The version, starting at 0 and bumped by each `transfer` and `release`.
    function recordVersion(bytes32 node) external view returns (uint64);
}
