package io.consentgate.app;

import java.time.Duration;
import java.util.Objects;

/**
 * The gate as a process ({@code run}, {@code dev}): how it stops and how it is watched.
 *
 * @param shutdownTimeout key {@code shutdown.timeout}: bound on a clean stop
 * @param healthStallTimeout key {@code health.stall-timeout}: how long input may wait without a commit before
 *     {@code /health} says the gate is stuck
 * @param metricsHost key {@code metrics.host}: the address the metrics endpoint listens on
 * @param metricsPort key {@code metrics.port}: 0 any free port, -1 no endpoint
 */
public record ServiceSettings(Duration shutdownTimeout, Duration healthStallTimeout, String metricsHost, int metricsPort) {

  public ServiceSettings {
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(healthStallTimeout, "healthStallTimeout");
    Objects.requireNonNull(metricsHost, "metricsHost");
  }

  public boolean metricsEnabled() {
    return metricsPort >= 0;
  }
}
