package io.consentgate.registry;

/** The schema registry answered with an error: its HTTP status, Confluent error code and message. */
public class RestClientException extends RuntimeException {

  private final int status;
  private final int errorCode;

  public RestClientException(String what, String url, int status, int errorCode, String registryMessage) {
    super(what + ": schema registry " + url + " answered HTTP " + status + ", error_code " + errorCode + ": " + registryMessage);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  /** Confluent's error code, e.g. 40401 subject not found; the HTTP status when the answer had none. */
  public int errorCode() {
    return errorCode;
  }
}
