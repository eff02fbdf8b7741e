"""Entry point Grafana (through the launcher) runs: one Hub per org, built from the org's app settings."""

from grafana_plugin_sdk.app import manage_app

from . import PLUGIN_ID
from .hub import Hub

manage_app(PLUGIN_ID, Hub)
