package io.consentgate.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A measurement run in a JVM of its own, on the bench's classpath: what the process itself costs
 * (its memory) or how a command runs in a process of its own (the replay) must not be measured in
 * the bench's JVM, which has run a broker and dozens of Streams instances before. The child prints
 * its result as one JSON line on stdout; its stderr is the bench's.
 */
final class ChildJvm {

  private ChildJvm() {}

  /**
   * @param what the child in messages, e.g. {@code the memory child for 1000000 contacts}
   * @param resultPrefix how the result line starts; any other line on stdout is passed on to
   *     stderr, so that a library printing to stdout is not mistaken for the result
   * @throws IllegalStateException when the child exits non-zero or prints no result
   */
  static Map<String, Object> run(String what, List<String> jvmOptions, Class<?> main, String resultPrefix, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(resultPrefix)) {
          result = line;
        } else {
          System.err.println(line);
        }
      }
    }
    int exit = child.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(what + " exited with " + exit);
    }
    if (result == null) {
      throw new IllegalStateException(what + " printed no result");
    }
    return new ObjectMapper().readValue(result, new TypeReference<LinkedHashMap<String, Object>>() {});
  }
}
