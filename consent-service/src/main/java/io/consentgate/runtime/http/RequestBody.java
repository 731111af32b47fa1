package io.consentgate.runtime.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body within {@link HttpLimits}, asking Jetty to call back when bytes arrive
 * instead of blocking a thread on a slow client: a client that promises a body and never sends it
 * holds a connection, not one of the server's threads.
 *
 * <p>Refusals are answered here, in the server's {@link ErrorBody}: 413 when the body is larger
 * than {@link HttpLimits#maxBodyBytes()} (from Content-Length before reading a byte, or as soon as
 * reading passes the limit), 408 when it has not fully arrived within {@link HttpLimits#bodyTimeout()}.
 * After a 413 the rest of the body is still read and thrown away, up to {@link HttpLimits#drainBytes()}
 * and within the body timeout: a client that writes its whole body before reading (most do) would
 * otherwise find the connection reset under its writes and never see the 413.
 */
public final class RequestBody {

  /** Gets the whole body; runs on a server thread, and must complete the request's callback. */
  public interface Receiver {
    void received(byte[] body);
  }

  private RequestBody() {
  }

  public static void read(Request request, Response response, Callback callback, HttpLimits limits, ErrorBody errors,
                          Receiver receiver) {
    new Reading(request, response, callback, limits, errors, receiver).start();
  }

  private static final class Reading implements Runnable {

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final HttpLimits limits;
    private final ErrorBody errors;
    private final Receiver receiver;
    private final AtomicBoolean finished = new AtomicBoolean();
    private ByteArrayOutputStream body;
    private long size;
    private Scheduler.Task deadline;

    Reading(Request request, Response response, Callback callback, HttpLimits limits, ErrorBody errors,
            Receiver receiver) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.limits = limits;
      this.errors = errors;
      this.receiver = receiver;
    }

    void start() {
      long declared = request.getLength();
      if (declared > limits.maxBodyBytes()) {
        finished.set(true);
        tooLarge();
        return;
      }
      body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
      deadline = request.getComponents().getScheduler().schedule(this::timedOut, limits.bodyTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
      run();
    }

    @Override
    public void run() {
      while (!finished.get()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          if (Content.Chunk.isFailure(chunk, true)) {
            if (finish()) {
              callback.failed(chunk.getFailure()); // the client went away: no one to answer
            }
          } else {
            timedOut(); // Jetty's idle timeout while the body was awaited
          }
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        size += bytes.remaining();
        if (size > limits.maxBodyBytes()) {
          chunk.release();
          if (finish()) {
            tooLarge();
          }
          return;
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        body.write(copy, 0, copy.length);
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          if (finish()) {
            receiver.received(body.toByteArray());
          }
          return;
        }
      }
    }

    /** True for the one path that ends the reading: the body, a refusal or a failure. */
    private boolean finish() {
      if (!finished.compareAndSet(false, true)) {
        return false;
      }
      if (deadline != null) {
        deadline.cancel();
      }
      return true;
    }

    private void timedOut() {
      if (finish()) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        Replies.error(request, response, callback, errors, HttpStatus.REQUEST_TIMEOUT_408, "the request body did not "
            + "arrive within " + limits.bodyTimeout().toMillis() + " ms");
      }
    }

    private void tooLarge() {
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      String message = "the body is larger than " + limits.maxBodyBytes() + " bytes";
      // A client that waits for 100 Continue has sent nothing yet, and now sends nothing: no drain.
      boolean waiting = request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
      Callback afterAnswer = waiting ? callback
          : Callback.from(() -> new Drain(request, callback, limits).start(), callback::failed);
      Replies.error(request, response, afterAnswer, errors, HttpStatus.PAYLOAD_TOO_LARGE_413, message);
    }
  }

  /** Reads and discards what is left of a refused body, within the drain limits; then completes the request. */
  private static final class Drain implements Runnable {

    private final Request request;
    private final Callback callback;
    private final long cap;
    private final AtomicBoolean done = new AtomicBoolean();
    private long drained;
    private final Scheduler.Task deadline;

    Drain(Request request, Callback callback, HttpLimits limits) {
      this.request = request;
      this.callback = callback;
      this.cap = limits.drainBytes();
      this.deadline = request.getComponents().getScheduler().schedule(this::stop, limits.bodyTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
    }

    void start() {
      run();
    }

    @Override
    public void run() {
      while (!done.get()) {
        Content.Chunk chunk;
        try {
          chunk = request.read();
        } catch (RuntimeException e) {
          stop();
          return;
        }
        if (chunk == null) {
          if (drained >= cap) {
            stop(); // Jetty closes the connection on the rest (the answer said Connection: close)
            return;
          }
          request.demand(this);
          return;
        }
        drained += chunk.remaining();
        boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
        chunk.release();
        if (end) {
          stop();
          return;
        }
      }
    }

    private void stop() {
      if (done.compareAndSet(false, true)) {
        deadline.cancel();
        callback.succeeded();
      }
    }
  }
}
