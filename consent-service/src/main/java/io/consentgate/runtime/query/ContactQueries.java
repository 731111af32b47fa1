package io.consentgate.runtime.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consentgate.runtime.query.StateLookup.Owners;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Answers for any contact, from any instance: from this instance's store when it owns the
 * contact, else from the owner over HTTP, and from a standby copy only when the owner does not
 * answer at all. A 503 from the owner (its store restoring) is passed on as it is: a caller waits
 * and asks again rather than get an older copy.
 */
public final class ContactQueries {

  static final String NO_METADATA = "the gate is starting or its group is rebalancing: no instance owns the contact "
      + "right now";

  private final StateLookup lookup;
  private final ContactAnswers answers;
  private final Peers peers;
  private final HostInfo self;

  /** @param self this instance's advertised address, as the others know it ({@code application.server}) */
  public ContactQueries(StateLookup lookup, ContactAnswers answers, Peers peers, HostInfo self) {
    this.lookup = lookup;
    this.answers = answers;
    this.peers = peers;
    this.self = self;
  }

  /** {@code GET /v1/contacts/{contactId}}. */
  public CompletableFuture<Answer> contact(String contactId, Hop hop) {
    Optional<Owners> found = lookup.owners(contactId);
    if (found.isEmpty()) {
      return done(ContactAnswers.unavailable(contactId, NO_METADATA));
    }
    Owners owners = found.get();
    if (self.equals(owners.active())) {
      return done(answers.contact(contactId, lookup.read(contactId, owners.partition(), false)));
    }
    return switch (hop) {
      case OWNER -> done(ContactAnswers.unavailable(contactId, movedAway(owners)));
      case STANDBY -> done(answers.contact(contactId, lookup.read(contactId, owners.partition(), true)));
      case CLIENT -> peers.contact(owners.active(), contactId, Hop.OWNER)
          .handle((answer, failure) -> failure == null
              ? done(fromPeer(contactId, owners.active(), answer))
              : contactFromStandby(contactId, owners, failure))
          .thenCompose(f -> f);
    };
  }

  private CompletableFuture<Answer> contactFromStandby(String contactId, Owners owners, Throwable ownerFailure) {
    if (owners.standbys().contains(self)) {
      return done(answers.contact(contactId, lookup.read(contactId, owners.partition(), true)));
    }
    Optional<HostInfo> standby = owners.standbys().stream().filter(h -> !h.equals(owners.active())).findFirst();
    String why = "its owner, " + unreachable(owners.active(), ownerFailure);
    if (standby.isEmpty()) {
      return done(ContactAnswers.unavailable(contactId, why + ", and no standby holds a copy"));
    }
    return peers.contact(standby.get(), contactId, Hop.STANDBY).handle((answer, failure) -> failure == null
        ? fromPeer(contactId, standby.get(), answer)
        : ContactAnswers.unavailable(contactId, why + ", nor does its standby: " + unreachable(standby.get(), failure)));
  }

  /** A peer's answer as it is, unless it is none the API gives (a refused token, say): then 502, mail denied. */
  private static Answer fromPeer(String contactId, HostInfo peer, Answer answer) {
    int s = answer.status();
    if (s == 200 || s == 404 || s == 503) {
      return answer;
    }
    ObjectNode body = Answer.JSON.createObjectNode();
    body.put("contactId", contactId);
    body.put("mayEmail", false);
    body.put("error", refused(peer, answer));
    return new Answer(502, body, 0);
  }

  /** {@code POST /v1/contacts:check}: one result per id, in order; each owner is asked once for all of its ids. */
  public CompletableFuture<Answer> check(List<String> contactIds, Hop hop) {
    int n = contactIds.size();
    ObjectNode[] results = new ObjectNode[n];
    Owners[] owners = new Owners[n];
    Map<HostInfo, List<Integer>> remote = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String id = contactIds.get(i);
      Optional<Owners> found = lookup.owners(id);
      if (found.isEmpty()) {
        results[i] = ContactAnswers.unavailableItem(id, NO_METADATA);
        continue;
      }
      Owners o = found.get();
      owners[i] = o;
      if (self.equals(o.active())) {
        results[i] = answers.item(id, lookup.read(id, o.partition(), false));
      } else if (hop == Hop.OWNER) {
        results[i] = ContactAnswers.unavailableItem(id, movedAway(o));
      } else if (hop == Hop.STANDBY) {
        results[i] = answers.item(id, lookup.read(id, o.partition(), true));
      } else {
        remote.computeIfAbsent(o.active(), h -> new ArrayList<>()).add(i);
      }
    }
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    remote.forEach((owner, indexes) -> pending.add(peers.check(owner, idsAt(contactIds, indexes), Hop.OWNER)
        .handle((answer, failure) -> {
          if (failure != null) {
            return checkFromStandbys(contactIds, indexes, owners, results, "its owner, " + unreachable(owner, failure));
          }
          fill(contactIds, indexes, results, owner, answer);
          return done((Void) null);
        }).thenCompose(f -> f)));
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      ArrayNode array = Answer.JSON.createArrayNode();
      for (ObjectNode result : results) {
        array.add(result);
      }
      return Answer.ok(array);
    });
  }

  /** The ids an unreachable owner holds, from this instance's standby copy or grouped by the standby that holds them. */
  private CompletableFuture<Void> checkFromStandbys(List<String> contactIds, List<Integer> indexes, Owners[] owners,
                                                    ObjectNode[] results, String why) {
    Map<HostInfo, List<Integer>> byStandby = new LinkedHashMap<>();
    for (int i : indexes) {
      Owners o = owners[i];
      String id = contactIds.get(i);
      if (o.standbys().contains(self)) {
        results[i] = answers.item(id, lookup.read(id, o.partition(), true));
        continue;
      }
      Optional<HostInfo> standby = o.standbys().stream().filter(h -> !h.equals(o.active())).findFirst();
      if (standby.isEmpty()) {
        results[i] = ContactAnswers.unavailableItem(id, why + ", and no standby holds a copy");
      } else {
        byStandby.computeIfAbsent(standby.get(), h -> new ArrayList<>()).add(i);
      }
    }
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    byStandby.forEach((standby, ids) -> pending.add(peers.check(standby, idsAt(contactIds, ids), Hop.STANDBY)
        .handle((answer, failure) -> {
          if (failure != null) {
            for (int i : ids) {
              results[i] = ContactAnswers.unavailableItem(contactIds.get(i), why + ", nor does its standby: "
                  + unreachable(standby, failure));
            }
          } else {
            fill(contactIds, ids, results, standby, answer);
          }
          return null;
        })));
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
  }

  /** Puts a peer's check results in their places; a peer that answered anything else leaves those ids unavailable. */
  private static void fill(List<String> contactIds, List<Integer> indexes, ObjectNode[] results, HostInfo peer,
                           Answer answer) {
    JsonNode body = answer.body();
    boolean usable = answer.status() == 200 && body != null && body.isArray() && body.size() == indexes.size();
    for (int k = 0; k < indexes.size(); k++) {
      int i = indexes.get(k);
      JsonNode item = usable ? body.get(k) : null;
      if (item instanceof ObjectNode o && contactIds.get(i).equals(o.path("contactId").asText(null))) {
        results[i] = o;
      } else {
        results[i] = ContactAnswers.unavailableItem(contactIds.get(i), answer.status() == 200
            ? "instance " + endpoint(peer) + " gave an answer that does not match the question" : refused(peer, answer));
      }
    }
  }

  private static List<String> idsAt(List<String> contactIds, List<Integer> indexes) {
    List<String> ids = new ArrayList<>(indexes.size());
    for (int i : indexes) {
      ids.add(contactIds.get(i));
    }
    return ids;
  }

  private String movedAway(Owners owners) {
    return "ownership is moving (rebalancing): this instance (" + endpoint(self) + ") was asked as the owner, but "
        + "the gate's metadata names " + endpoint(owners.active());
  }

  private static String refused(HostInfo peer, Answer answer) {
    String detail = answer.body() == null ? "" : answer.body().path("error").asText("");
    return "instance " + endpoint(peer) + " answered HTTP " + answer.status() + (detail.isEmpty() ? "" : " (" + detail + ")")
        + (answer.status() == 401 ? "; every instance must accept the others' token (query.tokens.file)" : "");
  }

  private static String unreachable(HostInfo peer, Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return "instance " + endpoint(peer) + " does not answer (" + message + ")";
  }

  /** {@code host:port}. */
  static String endpoint(HostInfo host) {
    return host.host() + ":" + host.port();
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
