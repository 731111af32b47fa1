package io.consentgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.policy.AddressKey;
import io.consentgate.policy.ConsentEvent;
import io.consentgate.policy.ConsentPolicy;
import io.consentgate.policy.ConsentStatus;
import io.consentgate.policy.Contact;
import io.consentgate.policy.ContactSource;
import io.consentgate.policy.Decision;
import io.consentgate.policy.Evidence;
import io.consentgate.policy.EvidenceKind;
import io.consentgate.policy.PolicySettings;
import io.consentgate.policy.Suppression;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ledger and the suppression index wired as the gate wires them, with the index's traffic
 * held in a queue so that a test can choose when it travels (the topics between them).
 */
class AddressIndexTest {

  private static final Instant T0 = Instant.parse("2024-01-05T10:00:00Z");

  private static final class Gate {
    final Map<String, ContactConsent> consents = new HashMap<>();
    final Map<AddressKey, AddressEntry> entries = new HashMap<>();
    final List<String> published = new ArrayList<>();
    /** What is on its way to the index (notices, registrations) and back (deliveries): the topics. */
    final ArrayDeque<Runnable> inFlight = new ArrayDeque<>();
    final ConsentLedger ledger;
    final AddressIndex index;

    Gate() {
      index = new AddressIndex(AddressIndex.Entries.in(entries), event -> inFlight.add(() -> apply(event)));
      ledger = new ConsentLedger(new ConsentPolicy(PolicySettings.defaults()),
          ConsentLedger.Consents.of(consents::get, consents::put), new LapseSchedule(new SortedKeySet()),
          (contactId, verdict, version) -> published.add(contactId + ":" + verdict.status()),
          new ConsentLedger.Notices() {
            @Override
            public void send(Suppression notice) {
              inFlight.add(() -> index.suppress(notice));
            }

            @Override
            public void register(AddressKey address, Contact contact) {
              inFlight.add(() -> index.register(address, contact));
            }
          });
    }

    void apply(ConsentEvent event) {
      ledger.apply(event.contactId(), event);
    }

    void deliverAll() {
      while (!inFlight.isEmpty()) {
        inFlight.poll().run();
      }
    }

    ConsentStatus latest(String contactId) {
      ContactConsent c = consents.get(contactId);
      return c == null || c.published() == null ? null : c.published().status();
    }
  }

  private static Contact contact(String id, String email, Instant at) {
    return new Contact(id, "acme", email, ContactSource.OWN_CHANNEL, at);
  }

  private static Evidence ev(String id, String contactId, EvidenceKind kind, Instant at) {
    return new Evidence(id, contactId, "acme", kind, at, "proof-" + id);
  }

  @Test
  void aContactCreatedAfterASuppressionIsNeverAllowedNotEvenBeforeTheIndexAnswers() {
    Gate g = new Gate();
    g.apply(contact("c-1", "ann@example.org", T0));
    g.apply(ev("u-1", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(60)));
    g.deliverAll();
    assertThat(g.latest("c-1")).isEqualTo(ConsentStatus.WITHDRAWN);

    g.apply(ev("p-2", "c-2", EvidenceKind.PURCHASE, T0.plusSeconds(3600)));
    g.apply(contact("c-2", "Ann+shop@Example.org", T0.plusSeconds(3600)));
    assertThat(g.published).as("nothing for c-2 before the index answered").noneMatch(p -> p.startsWith("c-2"));
    g.deliverAll();
    assertThat(g.published).filteredOn(p -> p.startsWith("c-2")).containsExactly("c-2:SUPPRESSED");
  }

  @Test
  void aSuppressionReachesTheContactsAlreadyIndexedAndAnExplicitGrantAfterItLiftsIt() {
    Gate g = new Gate();
    g.apply(contact("c-2", "ann@example.org", T0));
    g.apply(ev("w-2", "c-2", EvidenceKind.WEBSITE_FORM, T0));
    g.deliverAll();
    assertThat(g.latest("c-2")).isEqualTo(ConsentStatus.CONSENTED_IMPLICIT);

    g.apply(contact("c-1", "ann@example.org", T0));
    g.apply(ev("b-1", "c-1", EvidenceKind.HARD_BOUNCE, T0.plusSeconds(60)));
    g.deliverAll();
    assertThat(g.latest("c-1")).isEqualTo(ConsentStatus.UNDELIVERABLE);
    assertThat(g.latest("c-2")).isEqualTo(ConsentStatus.SUPPRESSED);

    g.apply(ev("d-2", "c-2", EvidenceKind.DOUBLE_OPT_IN_CONFIRMED, T0.plusSeconds(120)));
    g.deliverAll();
    assertThat(g.latest("c-2")).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
    assertThat(g.latest("c-1")).as("the bouncing contact itself stays undeliverable").isEqualTo(ConsentStatus.UNDELIVERABLE);
  }

  @Test
  void aWithdrawalRecordedBeforeItsContactSuppressesOnceTheContactArrives() {
    Gate g = new Gate();
    g.apply(contact("c-2", "bob@example.org", T0));
    g.apply(ev("c-2x", "c-2", EvidenceKind.CHECKBOX_OPT_IN, T0));
    g.deliverAll();
    g.apply(ev("s-1", "c-1", EvidenceKind.SPAM_COMPLAINT, T0.plusSeconds(10)));
    g.deliverAll();
    assertThat(g.latest("c-2")).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
    g.apply(contact("c-1", "BOB@example.org", T0));
    g.deliverAll();
    assertThat(g.latest("c-2")).isEqualTo(ConsentStatus.SUPPRESSED);
    assertThat(g.consents.get("c-2").published().decision()).isEqualTo(Decision.DENY);
  }

  @Test
  void otherBrandsAndOtherAddressesAreNotSuppressed() {
    Gate g = new Gate();
    g.apply(contact("c-1", "ann@example.org", T0));
    g.apply(new Contact("c-2", "globex", "ann@example.org", ContactSource.OWN_CHANNEL, T0));
    g.apply(new Evidence("e-2", "c-2", "globex", EvidenceKind.CHECKBOX_OPT_IN, T0, "p"));
    g.apply(contact("c-3", "anne@example.org", T0));
    g.apply(ev("e-3", "c-3", EvidenceKind.CHECKBOX_OPT_IN, T0));
    g.apply(ev("u-1", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(1)));
    g.deliverAll();
    assertThat(g.latest("c-2")).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
    assertThat(g.latest("c-3")).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);
  }

  @Test
  void aContactThatMovesCarriesItsWithdrawalsToTheNewAddressButNotTheBouncesOfTheOldOne() {
    Gate g = new Gate();
    for (String id : List.of("c-old-neighbour", "c-new-neighbour")) {
      String email = id.equals("c-old-neighbour") ? "ann@example.org" : "ann@newmail.example";
      g.apply(contact(id, email, T0));
      g.apply(ev("x-" + id, id, EvidenceKind.CHECKBOX_OPT_IN, T0));
    }
    g.apply(contact("c-1", "ann@example.org", T0));
    g.apply(ev("b-1", "c-1", EvidenceKind.HARD_BOUNCE, T0.plusSeconds(60)));
    g.deliverAll();
    assertThat(g.latest("c-old-neighbour")).isEqualTo(ConsentStatus.SUPPRESSED);
    assertThat(g.latest("c-new-neighbour")).isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);

    g.apply(contact("c-1", "ann@newmail.example", T0.plusSeconds(3600)));
    g.deliverAll();
    assertThat(g.latest("c-new-neighbour")).as("the old address's bounce stays there").isEqualTo(ConsentStatus.CONSENTED_EXPLICIT);

    g.apply(ev("u-1", "c-1", EvidenceKind.UNSUBSCRIBE, T0.plusSeconds(7200)));
    g.deliverAll();
    assertThat(g.latest("c-new-neighbour")).as("a withdrawal is the person's").isEqualTo(ConsentStatus.SUPPRESSED);
    assertThat(g.latest("c-1")).isEqualTo(ConsentStatus.UNDELIVERABLE);
  }
}
