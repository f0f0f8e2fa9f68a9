// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OffchainResolver} from "../src/OffchainResolver.sol";
import {NameHash} from "../src/libraries/NameHash.sol";
import {Script} from "forge-std/Script.sol";

/// @notice The subset of the ENS registry the deploy script uses.
interface IENSRegistryLike {
    /// @notice Sets the resolver of `node`; the caller must own `node`.
    function setResolver(bytes32 node, address resolver) external;
}

/// @title DeployOffchainResolver
/// @notice Deploys `OffchainResolver`, owned by the broadcaster, and optionally points a parent name at it.
/// @dev Environment:
/// - `GATEWAY_URL`: the gateway's base URL, e.g. `https://gw.example` (no trailing `/`, no `{sender}`/`{data}`:
///   the resolver builds `<base>/<its address>/{sender}/{data}.json` itself); several may be given,
///   comma-separated, tried in order.
/// - `SIGNERS`: comma-separated addresses of the gateway's signing keys.
/// - `ENS_REGISTRY` (optional): the ENS registry; when set, `setResolver(namehash(PARENT_NAME), resolver)` is
///   sent from the broadcaster, which must own that node.
/// - `PARENT_NAME` (optional, default `dm3.eth`): the name whose resolver is set.
///
/// `forge script contracts/script/DeployOffchainResolver.s.sol --rpc-url $RPC --private-key $KEY --broadcast`
contract DeployOffchainResolver is Script {
    /// @notice What to deploy.
    struct Config {
        address owner;
        string[] baseUrls;
        address[] signers;
        address ensRegistry;
        string parentName;
    }

    /// @notice Reads the configuration from the environment, then deploys from the broadcaster.
    /// @return resolver The deployed resolver.
    function run() external returns (OffchainResolver resolver) {
        vm.startBroadcast();
        (, address broadcaster,) = vm.readCallers();
        resolver = deploy(readConfig(broadcaster));
        vm.stopBroadcast();
    }

    /// @notice The configuration from the environment, with `owner` as the resolver's owner.
    /// @param owner The owner of the resolver.
    /// @return cfg The configuration.
    function readConfig(address owner) public view returns (Config memory cfg) {
        cfg.owner = owner;
        cfg.baseUrls = vm.envString("GATEWAY_URL", ",");
        cfg.signers = vm.envAddress("SIGNERS", ",");
        cfg.ensRegistry = vm.envOr("ENS_REGISTRY", address(0));
        cfg.parentName = vm.envOr("PARENT_NAME", string("dm3.eth"));
    }

    /// @notice Deploys the resolver and, if `cfg.ensRegistry` is set, makes it the resolver of `cfg.parentName`.
    /// @dev The calls come from this contract, or from the broadcaster inside `run`.
    /// @param cfg The configuration.
    /// @return resolver The deployed resolver.
    function deploy(Config memory cfg) public returns (OffchainResolver resolver) {
        resolver = new OffchainResolver(cfg.owner, cfg.baseUrls, cfg.signers);
        if (cfg.ensRegistry != address(0)) {
            IENSRegistryLike(cfg.ensRegistry).setResolver(NameHash.namehash(cfg.parentName), address(resolver));
        }
    }
}
