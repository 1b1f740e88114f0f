"""One validated configuration for every stage: the CDK app, the flow validator and the local engine read it."""

from config.loader import CONFIG_DIR, ConfigError, load_config, load_stage
from config.model import Channel, ConnectChannel, ContactCenterConfig, FlowType

__all__ = [
    "CONFIG_DIR",
    "Channel",
    "ConfigError",
    "ConnectChannel",
    "ContactCenterConfig",
    "FlowType",
    "load_config",
    "load_stage",
]
