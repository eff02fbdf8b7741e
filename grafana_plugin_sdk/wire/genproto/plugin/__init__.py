"""Generated protobuf stubs: pluginv2 and go-plugin's services (public, as the Go SDK's genproto)."""
