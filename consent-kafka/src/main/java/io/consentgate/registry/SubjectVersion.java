package io.consentgate.registry;

import org.apache.avro.Schema;

/** One version of a subject: what the registry answers for {@code /subjects/{subject}/versions/{version}}. */
public record SubjectVersion(String subject, int version, int id, Schema schema) {}
