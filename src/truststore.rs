//! TODO: truststore
