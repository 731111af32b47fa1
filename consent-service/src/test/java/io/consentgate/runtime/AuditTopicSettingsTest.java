package io.consentgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consentgate.app.GateConfig;
import io.consentgate.topics.GateTopics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit topic and the input topics' timestamps, as configured and as --create-topics makes them. */
class AuditTopicSettingsTest {

  @Test
  void theAuditTopicIsOnByDefaultAndOffOnRequest() throws Exception {
    assertThat(GateConfig.load(null, Map.of()).topics().verdictsAudit()).isEqualTo("consent-verdicts-audit");
    assertThat(GateConfig.load(null, Map.of(GateConfig.TOPIC_VERDICTS_AUDIT, "audit-2")).topics().verdictsAudit())
        .isEqualTo("audit-2");
    assertThat(GateConfig.load(null, Map.of(GateConfig.AUDIT_ENABLED, "false")).topics().audits()).isFalse();
    assertThatThrownBy(() -> GateConfig.load(null, Map.of(GateConfig.AUDIT_ENABLED, "yes")))
        .isInstanceOf(GateConfig.ConfigException.class).hasMessageContaining("audit.enabled must be true or false");
    assertThatThrownBy(() -> GateConfig.load(null, Map.of(GateConfig.TOPIC_VERDICTS_AUDIT, "consent-verdicts")))
        .isInstanceOf(GateConfig.ConfigException.class).hasMessageContaining("must differ from topic.consent-verdicts");
  }

  @Test
  void createdTopicsStampTheAppendTimeAndTheAuditTopicKeepsEveryVerdictForYears() {
    GateTopics topics = GateTopics.DEFAULTS;
    assertThat(TopicSetup.settingsOf(topics, topics.contactCreated())).containsEntry("message.timestamp.type", "LogAppendTime")
        .containsEntry("retention.ms", "-1");
    assertThat(TopicSetup.settingsOf(topics, topics.consentEvidence())).containsEntry("message.timestamp.type", "LogAppendTime");
    assertThat(TopicSetup.settingsOf(topics, topics.verdictsAudit())).containsEntry("cleanup.policy", "delete")
        .containsEntry("message.timestamp.type", "LogAppendTime").containsEntry("retention.bytes", "-1")
        .containsEntry("retention.ms", String.valueOf(TopicSetup.AUDIT_RETENTION_MS));
    assertThat(TopicSetup.AUDIT_RETENTION_MS).isGreaterThanOrEqualTo(10L * 365 * 24 * 3600 * 1000);
  }
}
