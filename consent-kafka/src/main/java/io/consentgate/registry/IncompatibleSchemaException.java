package io.consentgate.registry;

/** The registry refused a schema because it breaks the subject's compatibility level (HTTP 409). */
public final class IncompatibleSchemaException extends RestClientException {

  public IncompatibleSchemaException(String what, String url, int status, int errorCode, String registryMessage) {
    super(what, url, status, errorCode, registryMessage);
  }
}
