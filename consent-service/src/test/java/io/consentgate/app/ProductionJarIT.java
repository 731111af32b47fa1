package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The production artifact, what the Docker image runs, carries none of the dev stack: no broker,
 * no registry server, no test utilities. A build check, so that a dependency that drags one back
 * in fails the build instead of shipping.
 */
class ProductionJarIT {

  private static final Path JAR = Path.of("target", "consent-gate.jar");

  /** Class-file prefixes of Kafka's broker, controller, Raft, storage and metadata, of the test driver and of our registry server. */
  private static final List<String> FORBIDDEN = List.of("kafka/", "org/apache/kafka/controller/",
      "org/apache/kafka/raft/", "org/apache/kafka/storage/", "org/apache/kafka/metadata/",
      "org/apache/kafka/streams/TopologyTestDriver", "org/apache/kafka/streams/TestInputTopic",
      "io/consentgate/registry/server/", "io/consentgate/dev/");

  @Test
  void theProductionJarHasNoBrokerNoRegistryServerAndNoTestDriver() throws Exception {
    assertThat(JAR).as("built by package, before this check").exists();
    List<String> classes;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      classes = jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).toList();
    }
    assertThat(classes).as("class entries of " + JAR).isNotEmpty()
        .contains("io/consentgate/app/ConsentGateCli.class", "org/apache/kafka/streams/KafkaStreams.class");
    assertThat(classes).as("dev-stack classes in the production jar")
        .noneMatch(name -> FORBIDDEN.stream().anyMatch(name::startsWith));
    System.out.printf("production jar: %d class files, %.1f MB%n", classes.size(), Files.size(JAR) / 1e6);
  }

  /**
   * The JDK's {@code com.sun.net.httpserver} has no read timeout, a fixed pool any four stalled
   * clients exhaust, and HTML error pages; the gate's HTTP servers run on Jetty. A class that names
   * the JDK's server, ours or a dependency's, would bring that back unseen.
   */
  @Test
  void noClassInTheProductionJarUsesTheJdksHttpServer() throws Exception {
    byte[] needle = "com/sun/net/httpserver".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    List<String> users = new java.util.ArrayList<>();
    int scanned = 0;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(jar.entries())) {
        if (entry.getName().endsWith(".class")) {
          scanned++;
          byte[] bytes = jar.getInputStream(entry).readAllBytes();
          if (indexOf(bytes, needle) >= 0) {
            users.add(entry.getName());
          }
        }
      }
    }
    assertThat(scanned).isGreaterThan(1000);
    assertThat(users).as("classes that use com.sun.net.httpserver").isEmpty();
    assertThat(classNamed("org/eclipse/jetty/server/Server.class")).as("the HTTP server it uses instead").isTrue();
  }

  private static boolean classNamed(String name) throws java.io.IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      return jar.getEntry(name) != null;
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void itsCommandLineSaysWhereDevIs() {
    CliRun dev = CliRun.of("dev", "--demo");
    assertThat(dev.exitCode()).isEqualTo(ConsentGateCli.EXIT_USAGE);
    assertThat(dev.err()).contains("consent-gate-dev.jar");
  }
}
