package io.consentgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped list of role addresses is the one the policy's docs give. */
class ShippedRoleListTest {

  /**
   * docs/policy.md lists the default role addresses in a fenced block marked {@code role-addresses};
   * the shipped file must hold exactly those names, in that order. Both paths are inside the
   * repository (the tests run in the module directory).
   */
  @Test
  void theShippedRoleListIsTheListDocumentedInDocsPolicyMd() throws Exception {
    List<String> shipped = roleNames(Files.readAllLines(Path.of("src/main/resources/role-addresses.txt")));
    List<String> documented = roleNames(documentedRoleList(Path.of("../docs/policy.md")));
    assertThat(shipped).as("names in src/main/resources/role-addresses.txt").contains("info", "sales", "admin");
    assertThat(documented).as("the role-addresses block of docs/policy.md").containsExactlyElementsOf(shipped);
  }

  /** The lines of the one fenced block whose info string names {@code role-addresses}. */
  private static List<String> documentedRoleList(Path doc) throws Exception {
    List<String> lines = Files.readAllLines(doc);
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("```") && List.of(line.substring(3).strip().split("\\s+")).contains("role-addresses")) {
        starts.add(i);
      }
    }
    assertThat(starts).as("fenced blocks marked role-addresses in " + doc).hasSize(1);
    int from = starts.get(0) + 1;
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).strip().startsWith("```")) {
        return lines.subList(from, i);
      }
    }
    throw new AssertionError("the role-addresses block of " + doc + " is not closed");
  }

  /** The file format of role lists: one name a line; blank lines and # comment lines skipped. */
  private static List<String> roleNames(List<String> lines) {
    return lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }
}
