// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IL2NameRegistry} from "./IL2NameRegistry.sol";
import {NameHash} from "./libraries/NameHash.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// @title L2NameRegistry
/// @notice Free, first-come registry of subnames of one parent (e.g. `dm3.eth`) with their resolver records, deployed
/// on an L2 and read by the dm3 gateway, which answers L1 CCIP-read queries for the parent's `OffchainResolver`.
/// @dev No admin: nobody but a name's owner can change or take away a name. Records are stored per record version;
/// `transfer` and `release` bump the version instead of deleting records one by one.
contract L2NameRegistry is IL2NameRegistry, ERC165 {
    /// @dev ENSIP-9 / SLIP-44 coin type of Ethereum.
    uint256 private constant COIN_TYPE_ETH = 60;
    /// @dev DNS limit on the length of a label, in bytes.
    uint256 private constant MAX_LABEL_LENGTH = 255;

    /// @dev ERC-165 ids of the ENS resolver profiles implemented here (one function each).
    bytes4 private constant ADDR_INTERFACE_ID = 0x3b3b57de; // addr(bytes32)
    bytes4 private constant ADDRESS_INTERFACE_ID = 0xf1cb7e06; // addr(bytes32,uint256)
    bytes4 private constant TEXT_INTERFACE_ID = 0x59d1d43c; // text(bytes32,string)
    bytes4 private constant CONTENTHASH_INTERFACE_ID = 0xbc1c58d1; // contenthash(bytes32)

    /// @dev The owner and the current record version of a node (one storage slot). The version survives `release`,
    /// so a later registration of the same label starts with empty records.
    struct Name {
        address owner;
        uint64 version;
    }

    /// @inheritdoc IL2NameRegistry
    bytes32 public immutable parentNode;

    string private _parentName;

    mapping(bytes32 node => Name) private _names;
    mapping(bytes32 node => string) private _labels;
    mapping(bytes32 node => mapping(uint64 version => mapping(string key => string))) private _texts;
    mapping(bytes32 node => mapping(uint64 version => mapping(uint256 coinType => bytes))) private _addresses;
    mapping(bytes32 node => mapping(uint64 version => bytes)) private _contenthashes;

    /// @param parentName_ The normalized parent name, e.g. "dm3.eth".
    /// @param parentNode_ `namehash(parentName_)`; checked, so a typo cannot deploy a registry no L1 query can reach.
    constructor(string memory parentName_, bytes32 parentNode_) {
        bytes32 expected = NameHash.namehash(parentName_);
        if (expected != parentNode_) revert ParentNodeMismatch(expected, parentNode_);
        _parentName = parentName_;
        parentNode = parentNode_;
    }

    /// @dev Reverts unless `node` is registered and the caller owns it.
    modifier onlyNameOwner(bytes32 node) {
        _checkNameOwner(node);
        _;
    }

    // ------------------------------------------------------------------ registration

    /// @inheritdoc IL2NameRegistry
    function register(string calldata label, address nameOwner) external returns (bytes32 node) {
        if (nameOwner == address(0)) revert ZeroAddressOwner();
        if (!_isValidLabel(bytes(label))) revert InvalidLabel(label);
        node = nodeOf(label);
        Name storage name = _names[node];
        if (name.owner != address(0)) revert LabelTaken(label);

        name.owner = nameOwner;
        _labels[node] = label;
        emit NameRegistered(node, label, nameOwner);
        _setEthAddr(node, name.version, nameOwner);
    }

    /// @inheritdoc IL2NameRegistry
    function transfer(bytes32 node, address newOwner) external onlyNameOwner(node) {
        if (newOwner == address(0)) revert ZeroAddressOwner();
        Name storage name = _names[node];
        emit NameTransferred(node, name.owner, newOwner);
        name.owner = newOwner;
        uint64 version = _bumpVersion(node, name);
        _setEthAddr(node, version, newOwner);
    }

    /// @inheritdoc IL2NameRegistry
    function release(bytes32 node) external onlyNameOwner(node) {
        Name storage name = _names[node];
        emit NameReleased(node, name.owner);
        name.owner = address(0);
        delete _labels[node];
        _bumpVersion(node, name);
    }

    // ------------------------------------------------------------------ records

    /// @inheritdoc IL2NameRegistry
    function setText(bytes32 node, string calldata key, string calldata value) external onlyNameOwner(node) {
        _setText(node, _names[node].version, key, value);
    }

    /// @inheritdoc IL2NameRegistry
    function setRecords(bytes32 node, string[] calldata keys, string[] calldata values) external onlyNameOwner(node) {
        if (keys.length != values.length) revert LengthMismatch();
        uint64 version = _names[node].version;
        for (uint256 i = 0; i < keys.length; ++i) {
            _setText(node, version, keys[i], values[i]);
        }
    }

    /// @inheritdoc IL2NameRegistry
    function setAddr(bytes32 node, uint256 coinType, bytes calldata value) external onlyNameOwner(node) {
        uint64 version = _names[node].version;
        if (coinType == COIN_TYPE_ETH) {
            if (value.length != 20 && value.length != 0) revert InvalidEthAddressLength(value.length);
            // casting to 'bytes20' is safe because `value` is exactly 20 bytes when it is not empty
            // forge-lint: disable-next-line(unsafe-typecast)
            emit AddrChanged(node, value.length == 0 ? address(0) : address(bytes20(value)));
        }
        _addresses[node][version][coinType] = value;
        emit AddressChanged(node, coinType, value);
    }

    /// @inheritdoc IL2NameRegistry
    function setAddr(bytes32 node, address a) external onlyNameOwner(node) {
        _setEthAddr(node, _names[node].version, a);
    }

    /// @inheritdoc IL2NameRegistry
    function setContenthash(bytes32 node, bytes calldata hash) external onlyNameOwner(node) {
        _contenthashes[node][_names[node].version] = hash;
        emit ContenthashChanged(node, hash);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IL2NameRegistry
    function parentName() external view returns (string memory) {
        return _parentName;
    }

    /// @inheritdoc IL2NameRegistry
    function owner(bytes32 node) external view returns (address) {
        return _names[node].owner;
    }

    /// @inheritdoc IL2NameRegistry
    function text(bytes32 node, string calldata key) external view returns (string memory) {
        return _texts[node][_names[node].version][key];
    }

    /// @inheritdoc IL2NameRegistry
    /// @dev A coin-type-60 record that is not 20 bytes (only possible when empty) reads as the zero address.
    function addr(bytes32 node) external view returns (address payable) {
        bytes storage value = _addresses[node][_names[node].version][COIN_TYPE_ETH];
        if (value.length != 20) return payable(address(0));
        // casting to 'bytes20' is safe because `value` is exactly 20 bytes
        // forge-lint: disable-next-line(unsafe-typecast)
        return payable(address(bytes20(value)));
    }

    /// @inheritdoc IL2NameRegistry
    function addr(bytes32 node, uint256 coinType) external view returns (bytes memory) {
        return _addresses[node][_names[node].version][coinType];
    }

    /// @inheritdoc IL2NameRegistry
    function contenthash(bytes32 node) external view returns (bytes memory) {
        return _contenthashes[node][_names[node].version];
    }

    /// @inheritdoc IL2NameRegistry
    function labelOf(bytes32 node) external view returns (string memory) {
        return _labels[node];
    }

    /// @inheritdoc IL2NameRegistry
    function nodeOf(string calldata label) public view returns (bytes32) {
        return keccak256(abi.encodePacked(parentNode, keccak256(bytes(label))));
    }

    /// @inheritdoc IL2NameRegistry
    function recordVersion(bytes32 node) external view returns (uint64) {
        return _names[node].version;
    }

    /// @notice ERC-165: true for ERC-165, `IL2NameRegistry`, and the ENS resolver profiles `addr(bytes32)`
    /// (`0x3b3b57de`), `addr(bytes32,uint256)` (`0xf1cb7e06`), `text` (`0x59d1d43c`) and `contenthash`
    /// (`0xbc1c58d1`).
    /// @param interfaceId The interface id to check.
    /// @return Whether the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == ADDR_INTERFACE_ID || interfaceId == ADDRESS_INTERFACE_ID
            || interfaceId == TEXT_INTERFACE_ID || interfaceId == CONTENTHASH_INTERFACE_ID
            || interfaceId == type(IL2NameRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals

    function _checkNameOwner(bytes32 node) private view {
        address current = _names[node].owner;
        if (current == address(0)) revert NameNotRegistered(node);
        if (current != msg.sender) revert NotOwner(node, msg.sender);
    }

    function _bumpVersion(bytes32 node, Name storage name) private returns (uint64 version) {
        version = name.version + 1;
        name.version = version;
        emit VersionChanged(node, version);
    }

    function _setText(bytes32 node, uint64 version, string calldata key, string calldata value) private {
        _texts[node][version][key] = value;
        emit TextChanged(node, key, key, value);
    }

    function _setEthAddr(bytes32 node, uint64 version, address a) private {
        bytes memory value = abi.encodePacked(a);
        _addresses[node][version][COIN_TYPE_ETH] = value;
        emit AddrChanged(node, a);
        emit AddressChanged(node, COIN_TYPE_ETH, value);
    }

    /// @dev 1–255 bytes of [a-z0-9-], no leading or trailing '-', and not '-' at both the 3rd and 4th position.
    function _isValidLabel(bytes calldata label) private pure returns (bool) {
        uint256 length = label.length;
        if (length == 0 || length > MAX_LABEL_LENGTH) return false;
        if (label[0] == "-" || label[length - 1] == "-") return false;
        if (length >= 4 && label[2] == "-" && label[3] == "-") return false;
        for (uint256 i = 0; i < length; ++i) {
            bytes1 c = label[i];
            if (!((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "-")) return false;
        }
        return true;
    }
}
