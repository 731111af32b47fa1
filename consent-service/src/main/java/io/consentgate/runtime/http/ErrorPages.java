package io.consentgate.runtime.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error handler for the errors it answers itself (a bad request line or URI, headers too
 * large, a request refused while stopping, a handler that threw): the server's {@link ErrorBody}
 * instead of Jetty's HTML page, whatever the client accepts. The message is Jetty's reason for a
 * protocol error and the status's name otherwise; an exception's text could name classes, so it
 * never reaches the client.
 */
final class ErrorPages implements Request.Handler {

  private final ErrorBody errors;
  private final HttpLimits limits;

  ErrorPages(ErrorBody errors, HttpLimits limits) {
    this.errors = errors;
    this.limits = limits;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    String message = null;
    Object cause = request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
    if (cause instanceof HttpException http) {
      status = http.getCode();
      message = http.getReason();
    }
    if (status < 400) {
      status = HttpStatus.INTERNAL_SERVER_ERROR_500;
    }
    if (message == null || message.isBlank() || status >= 500) {
      message = HttpStatus.getMessage(status);
    }
    if (message.equals(HttpStatus.getMessage(status))) {
      message = message + explanation(status);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (HttpStatus.hasNoBody(status) || "HEAD".equals(request.getMethod())) {
      callback.succeeded();
      return true;
    }
    byte[] body = errors.body(status, message);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, errors.contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  /** What a client can do about the errors Jetty answers with no more than the status's name. */
  private String explanation(int status) {
    return switch (status) {
      case HttpStatus.BAD_REQUEST_400 -> ": the request line, its URI (for example its percent-encoding) or a header "
          + "is not well-formed";
      case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> ": the request line and headers together may take "
          + limits.maxHeaderBytes() + " bytes";
      case HttpStatus.SERVICE_UNAVAILABLE_503 -> ": the server is stopping; ask another instance or again later";
      default -> "";
    };
  }
}
