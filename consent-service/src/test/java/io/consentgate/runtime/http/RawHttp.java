package io.consentgate.runtime.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what a well-behaved client library refuses to send (a
 * malformed URI, a body it never finishes) and to see exactly what the server writes back.
 */
public final class RawHttp {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RawHttp() {
  }

  /** One response: status, headers (names in lower case), body. */
  public record Reply(int status, Map<String, String> headers, String body) {

    public JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** A connection to 127.0.0.1:{@code port} that gives up reading after 10 s. */
  public static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends {@code head} (request line and headers, CRLF-terminated lines, without the blank line) and {@code body}. */
  public static Reply exchange(int port, String head, byte[] body) throws IOException {
    try (Socket socket = connect(port)) {
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** A GET of {@code rawTarget}, sent as it is (no encoding). */
  public static Reply get(int port, String rawTarget, String... headers) throws IOException {
    StringBuilder head = new StringBuilder("GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    return exchange(port, head.toString(), new byte[0]);
  }

  /** Reads one response: the status line, the headers, and a body of Content-Length bytes (or up to the end). */
  public static Reply read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("the server closed the connection without an answer");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int size; (size = Integer.parseInt(line(in).trim(), 16)) > 0; ) {
        all.write(in.readNBytes(size));
        line(in);
      }
      body = all.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != -1; ) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
