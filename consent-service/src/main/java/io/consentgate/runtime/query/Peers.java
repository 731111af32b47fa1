package io.consentgate.runtime.query;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The other instances of the gate, asked over HTTP ({@link HttpPeers}). A peer that cannot be
 * reached (refused, timed out) fails the future; any HTTP answer completes it.
 */
public interface Peers {

  /** {@code GET /v1/contacts/{contactId}} on {@code peer}. */
  CompletableFuture<Answer> contact(HostInfo peer, String contactId, Hop hop);

  /** {@code POST /v1/contacts:check} on {@code peer}. */
  CompletableFuture<Answer> check(HostInfo peer, List<String> contactIds, Hop hop);
}
