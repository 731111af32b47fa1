package io.consentgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which gate the client checks: the gate's own default, another named the gate's way, or none only when told. */
class ClientConfigTest {

  @Test
  void withoutAnApplicationIdTheGatesDefaultIsChecked() {
    assertThat(new ClientConfig(Map.of()).applicationId).isEqualTo(ConsentClient.DEFAULT_APPLICATION_ID).isEqualTo("consent-gate");
  }

  @Test
  void anApplicationIdNamesTheGateChecked() {
    assertThat(new ClientConfig(Map.of(ConsentClient.APPLICATION_ID, " green ")).applicationId).isEqualTo("green");
  }

  @Test
  void onlyCheckGateFalseChecksNoGateWhateverTheApplicationId() {
    assertThat(new ClientConfig(Map.of(ConsentClient.CHECK_GATE, false, ConsentClient.APPLICATION_ID, "green")).applicationId)
        .isNull();
    assertThat(new ClientConfig(Map.of(ConsentClient.CHECK_GATE, "true")).applicationId).isEqualTo("consent-gate");
  }

  @Test
  void theTopicsDefaultToTheGatesSoTheGatesInputIsWatched() {
    ClientConfig c = new ClientConfig(Map.of());
    assertThat(c.verdictTopic).isEqualTo("consent-verdicts");
    assertThat(c.contactCreatedTopic).isEqualTo("contact-created");
    assertThat(c.consentEvidenceTopic).isEqualTo("consent-evidence");
  }
}
