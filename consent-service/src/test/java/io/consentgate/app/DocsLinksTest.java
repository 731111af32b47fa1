package io.consentgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The promises of the README and the documents (issue 24): README.md stays short, every relative
 * link in README.md and docs/*.md reaches an existing file (and, for {@code file.md#anchor}, a heading
 * of that file, as GitHub names its anchors), every section of the readers' documents is one click
 * from README.md, and no document sends its reader back to README.md for details.
 */
class DocsLinksTest {

  private static final Path ROOT = Path.of("..");
  private static final int README_MAX_LINES = 300;

  /** The documents by reader: README.md links every one of their sections. */
  private static final List<String> READERS_DOCS =
      List.of("docs/senders.md", "docs/data-teams.md", "docs/operating.md", "docs/architecture.md");

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

  @Test
  void readmeIsShort() throws IOException {
    long lines = Files.readAllLines(ROOT.resolve("README.md")).size();
    assertThat(lines).as("README.md is read in ten minutes: at most %d lines", README_MAX_LINES)
        .isLessThanOrEqualTo(README_MAX_LINES);
  }

  @Test
  void ciRunsTheReadmesTwoCommands() throws IOException {
    List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
    List<String> commands = new ArrayList<>();
    boolean inSection = false;
    boolean fenced = false;
    for (String line : readme) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced && line.startsWith("#")) {
        inSection = line.equals("## Two commands");
      } else if (fenced && inSection && !line.isBlank()) {
        commands.add(line);
      }
    }
    assertThat(commands).as("README.md's two commands: the local stack, then the tests").hasSize(2);
    assertThat(commands.get(0)).as("the first command builds the jars and starts dev --demo")
        .startsWith("./mvnw -B -q -DskipTests package && ").endsWith(" dev --demo");
    assertThat(Files.readAllLines(ROOT.resolve(".ci/run"))).as(".ci/run runs README.md's test command verbatim")
        .contains(commands.get(1));
  }

  @Test
  void everyRelativeLinkReachesAFileAndAHeading() throws IOException {
    List<String> broken = new ArrayList<>();
    for (String doc : documents()) {
      for (String target : links(doc)) {
        String problem = problem(doc, target);
        if (problem != null) {
          broken.add(doc + ": (" + target + ") " + problem);
        }
      }
    }
    assertThat(broken).as("broken relative links in README.md and docs/*.md").isEmpty();
  }

  @Test
  void noDocumentSendsItsReaderBackToTheReadme() throws IOException {
    List<String> back = new ArrayList<>();
    for (String doc : documents()) {
      if (doc.startsWith("docs/")) {
        for (String target : links(doc)) {
          if (isReadme(doc, target)) {
            back.add(doc + ": (" + target + ")");
          }
        }
      }
    }
    assertThat(back).as("links from docs/ into README.md: the details live in docs/").isEmpty();
  }

  @Test
  void everySectionOfTheReadersDocumentsIsOneClickFromTheReadme() throws IOException {
    Set<String> linked = new LinkedHashSet<>();
    for (String target : links("README.md")) {
      linked.add(Path.of(target).normalize().toString().replace('\\', '/'));
    }
    List<String> unreachable = new ArrayList<>();
    for (String doc : READERS_DOCS) {
      if (!linked.contains(doc)) {
        unreachable.add(doc);
      }
      if (doc.equals("docs/architecture.md")) {
        continue; // one page for whoever changes the code: the link to it is enough
      }
      for (String anchor : sectionAnchors(doc)) {
        if (!linked.contains(doc + "#" + anchor)) {
          unreachable.add(doc + "#" + anchor);
        }
      }
    }
    assertThat(unreachable).as("sections of the readers' documents that README.md does not link").isEmpty();
  }

  @Test
  void anchorsAreNamedAsGitHubNamesThem() {
    assertThat(anchors(List.of(
        "# For mail senders",
        "## The Java client library: \"may I email this contact now?\"",
        "## `run`: the gate on a real cluster",
        "## The consent store's format and upgrades",
        "## The query API (`--only query`)",
        "```",
        "## not a heading, in a code block",
        "```",
        "## Notes",
        "## Notes")))
        .containsExactly("for-mail-senders", "the-java-client-library-may-i-email-this-contact-now",
            "run-the-gate-on-a-real-cluster", "the-consent-stores-format-and-upgrades", "the-query-api---only-query",
            "notes", "notes-1");
  }

  /** README.md and every Markdown document in docs/, as paths from the repository root. */
  private static List<String> documents() throws IOException {
    List<String> docs = new ArrayList<>();
    docs.add("README.md");
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.map(p -> "docs/" + p.getFileName()).filter(p -> p.endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** The relative link targets of a document, outside fenced code blocks. */
  private static List<String> links(String doc) throws IOException {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(ROOT.resolve(doc))) {
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(line);
      while (m.find()) {
        String target = m.group(1);
        if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) { // http:, https:, mailto: …
          targets.add(resolve(doc, target));
        }
      }
    }
    return targets;
  }

  /** A link target as a path from the repository root, its anchor kept. */
  private static String resolve(String doc, String target) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? "" : target.substring(hash);
    if (path.isEmpty()) {
      return doc + anchor;
    }
    Path parent = Path.of(doc).getParent();
    Path resolved = (parent == null ? Path.of(path) : parent.resolve(path)).normalize();
    return resolved.toString().replace('\\', '/') + anchor;
  }

  private static boolean isReadme(String doc, String target) {
    int hash = target.indexOf('#');
    return (hash < 0 ? target : target.substring(0, hash)).equals("README.md");
  }

  /** What is wrong with a resolved link target, or null. */
  private static String problem(String doc, String target) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    if (path.startsWith("../")) {
      return "leaves the repository";
    }
    Path file = ROOT.resolve(path);
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (hash >= 0 && path.endsWith(".md")) {
      String anchor = target.substring(hash + 1);
      if (!anchors(read(file)).contains(anchor)) {
        return "no heading with the anchor #" + anchor + " in " + path;
      }
    }
    return null;
  }

  /** The anchors of a document's second-level sections. */
  private static List<String> sectionAnchors(String doc) throws IOException {
    List<Matcher> headings = headings(Files.readAllLines(ROOT.resolve(doc)));
    List<String> all = anchorsOf(headings);
    List<String> sections = new ArrayList<>();
    for (int i = 0; i < headings.size(); i++) {
      if (headings.get(i).group(1).length() == 2) {
        sections.add(all.get(i));
      }
    }
    return sections;
  }

  /** The anchors GitHub gives a document's headings, in order: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
  static List<String> anchors(List<String> lines) {
    return anchorsOf(headings(lines));
  }

  private static List<String> anchorsOf(List<Matcher> headings) {
    List<String> anchors = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Matcher m : headings) {
      String text = m.group(2).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link in a heading: its text
      String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M}_ -]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? slug : slug + "-" + n);
    }
    return anchors;
  }

  /** A document's headings outside code fences, matched: group 1 the hashes, group 2 the text. */
  private static List<Matcher> headings(List<String> lines) {
    List<Matcher> headings = new ArrayList<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher m = HEADING.matcher(line);
      if (!fenced && m.matches()) {
        headings.add(m);
      }
    }
    return headings;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
