package io.consentgate.runtime.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes a whole answer in one go; headers the caller set on the response before are kept. */
public final class Replies {

  private Replies() {
  }

  /** {@code status} with {@code body} (its length announced; HEAD: the length only) and completes {@code callback}. */
  public static void send(Request request, Response response, Callback callback, int status, String contentType,
                          byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    boolean head = "HEAD".equals(request.getMethod());
    response.write(true, head ? null : ByteBuffer.wrap(body), callback);
  }

  /** The server's error shape with {@code status} and {@code message}. */
  public static void error(Request request, Response response, Callback callback, ErrorBody errors, int status,
                           String message) {
    send(request, response, callback, status, errors.contentType(), errors.body(status, message));
  }
}
