package io.consentgate.app;

/**
 * A picocli command that a jar adds to {@code consent-gate} through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.consentgate.app.CommandExtension}): the dev stack's jar adds
 * {@code dev}, which the production jar leaves out together with the broker and registry it runs.
 */
public interface CommandExtension {}
