package io.consentgate.app;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks, before anything starts, that the ports a command will listen on are free. */
public final class Ports {

  private Ports() {
  }

  /**
   * @param what the port's name in the message, e.g. "Kafka port"
   * @param fix how to pick another, e.g. "pick another with --kafka-port"
   * @throws Unavailable "{what} {port} on {host} is in use; {fix}", or why it cannot be bound
   */
  public static void requireFree(String host, int port, String what, String fix) throws Unavailable {
    if (port <= 0) {
      return; // 0: any free port; negative: not listening at all
    }
    try (ServerSocket socket = new ServerSocket()) {
      // As the servers themselves bind: a port held only by connections closing (TIME_WAIT) is free.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      throw inUse(host, port, what, fix, e);
    } catch (IOException e) {
      throw new Unavailable("cannot listen on " + host + ":" + port + " (" + what + "): " + e.getMessage(), e);
    }
  }

  public static Unavailable inUse(String host, int port, String what, String fix, Throwable cause) {
    return new Unavailable(what + " " + port + " on " + host + " is in use; " + fix, cause);
  }

  /** True when {@code e} or one of its causes is a failure to bind a port. */
  public static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
