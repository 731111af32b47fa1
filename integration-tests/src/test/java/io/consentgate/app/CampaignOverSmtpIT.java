package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.consentgate.client.ConsentClient;
import io.consentgate.client.Reason;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import io.consentgate.examples.CampaignSender;
import io.consentgate.examples.CampaignSender.Recipient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real mail path: a campaign goes from the example sender ({@link CampaignSender}) through SMTP
 * to an in-process SMTP server (GreenMail), gated by the consent client over a running gate. No
 * message reaches a denied, withdrawn, expired or unknown contact; a withdrawal published while
 * the campaign is queued cancels that contact's message; every allowed contact gets exactly one.
 */
class CampaignOverSmtpIT {

  private static final Duration WAIT = Duration.ofSeconds(120);

  @ExtendWith(KafkaStackExtension.class) // one broker and registry for the class's tests
  static KafkaStack stack;

  @TempDir
  static Path dir;

  private static String contact(String id, String email, Instant at) {
    return "{\"type\":\"contact\",\"contactId\":\"" + id + "\",\"brandId\":\"acme\",\"email\":\"" + email
        + "\",\"source\":\"OWN_CHANNEL\",\"createdAt\":\"" + at + "\"}\n";
  }

  private static String evidence(String evidenceId, String contactId, String kind, Instant at, boolean proof) {
    return "{\"type\":\"evidence\",\"evidenceId\":\"" + evidenceId + "\",\"contactId\":\"" + contactId
        + "\",\"brandId\":\"acme\",\"kind\":\"" + kind + "\",\"occurredAt\":\"" + at + "\""
        + (proof ? ",\"proof\":{\"reference\":\"ref-" + evidenceId + "\"}" : "") + "}\n";
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aCampaignReachesExactlyTheContactsThatMayBeEmailedAndAWithdrawalCancelsQueuedMail() throws Exception {
    Map<String, String> flags = stack.gateFlags(stack.uniquePrefix(), "campaign", dir.resolve("campaign"), 3);
    // The gate notices lapses only hourly here, so the expired contact's verdict on the topic is still
    // the ALLOW whose validUntil has passed: the client must refuse it on its own.
    flags.put(GateConfig.LAPSE_CHECK_INTERVAL, "PT1H");
    GateRuntime runtime = KafkaStack.runtime(flags);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant recent = now.minus(Duration.ofDays(3));
    Instant twoYearsAndADayAgo = now.atZone(java.time.ZoneOffset.UTC).minusYears(2).minusDays(1).toInstant();
    StringBuilder history = new StringBuilder();
    for (String id : List.of("c-ann", "c-ben", "c-cid", "c-late")) {
      history.append(contact(id, id.substring(2) + "@customer.example", recent));
      history.append(evidence("ev-" + id, id, "CHECKBOX_OPT_IN", recent.plusSeconds(30), true));
    }
    history.append(contact("c-dan", "dan@customer.example", recent)); // no consent at all
    history.append(contact("c-eve", "eve@customer.example", recent));
    history.append(evidence("ev-eve-1", "c-eve", "CHECKBOX_OPT_IN", recent.plusSeconds(30), true));
    history.append(evidence("ev-eve-2", "c-eve", "UNSUBSCRIBE", recent.plusSeconds(3600), false)); // withdrawn
    history.append(contact("c-fay", "fay@customer.example", twoYearsAndADayAgo));
    history.append(evidence("ev-fay-1", "c-fay", "PURCHASE", twoYearsAndADayAgo, true)); // two years: lapsed yesterday

    int smtpPort = freePort();
    GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    try (RunningGate gate = RunningGate.start(runtime)) {
      KafkaStack.publish(runtime, history.toString());
      await().atMost(WAIT).until(() -> stack.caughtUp(runtime));
      await().atMost(WAIT).until(() -> RedecidingIT.latestByEpochAndVersion(KafkaStack.verdicts(runtime)).size() == 7);
      ConsentVerdict fay = RedecidingIT.latestByEpochAndVersion(KafkaStack.verdicts(runtime)).get("c-fay");
      assertThat(fay.getDecision()).as("the topic still says ALLOW for the lapsed consent").isEqualTo(Decision.ALLOW);
      assertThat(fay.getStatus()).isEqualTo(ConsentStatus.CONSENTED_IMPLICIT);
      assertThat(fay.getValidUntil()).isBefore(now);

      Map<String, Object> config = new HashMap<>(flags);
      try (ConsentClient consent = ConsentClient.builder(config).meterRegistry(new SimpleMeterRegistry()).build();
           CampaignSender sender = new CampaignSender(consent, Clock.systemUTC(), "127.0.0.1", smtpPort, "news@acme.example")) {
        assertThat(consent.awaitReady(WAIT)).isTrue();
        List<Recipient> campaign = new ArrayList<>();
        for (String id : List.of("c-ann", "c-ben", "c-cid", "c-late", "c-dan", "c-eve", "c-fay", "c-ghost")) {
          campaign.add(new Recipient(id, id.substring(2) + "@customer.example"));
        }
        Map<String, Reason> left = sender.queue(campaign);
        assertThat(left).containsExactlyInAnyOrderEntriesOf(Map.of("c-dan", Reason.DENIED, "c-eve", Reason.DENIED,
            "c-fay", Reason.EXPIRED, "c-ghost", Reason.UNKNOWN_CONTACT));
        assertThat(sender.queued()).containsExactly("c-ann", "c-ben", "c-cid", "c-late");

        // c-late unsubscribes while the campaign waits in the queue.
        KafkaStack.publish(runtime, evidence("ev-late-out", "c-late", "UNSUBSCRIBE", Instant.now().truncatedTo(ChronoUnit.SECONDS), false));
        await().atMost(WAIT).until(() -> sender.cancelled().contains("c-late"));
        assertThat(sender.queued()).containsExactly("c-ann", "c-ben", "c-cid");

        CampaignSender.Sent sent = sender.send("Autumn news", "Hello from Acme.");
        assertThat(sent.sent()).containsExactly("c-ann", "c-ben", "c-cid");
        assertThat(sent.refusedAtSend()).isEmpty();
      }
      assertThat(smtp.waitForIncomingEmail(10_000, 3)).isTrue();
      MimeMessage[] received = smtp.getReceivedMessages();
      List<String> to = new ArrayList<>();
      for (MimeMessage m : received) {
        for (Address a : m.getRecipients(Message.RecipientType.TO)) {
          to.add(a.toString());
        }
        assertThat(m.getSubject()).isEqualTo("Autumn news");
      }
      assertThat(to).as("exactly one message per allowed contact, none to anyone else")
          .containsExactlyInAnyOrder("ann@customer.example", "ben@customer.example", "cid@customer.example");
    } finally {
      smtp.stop();
    }
  }
}
