package io.consentgate.runtime.http;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** PKCS12 keystores made with the JDK's keytool, as an operator would make them. */
public final class TestCertificates {

  private TestCertificates() {
  }

  /** A keystore with a self-signed certificate and key named {@code name}, for 127.0.0.1 and localhost. */
  public static Path keystore(Path dir, String name, String password) throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".p12");
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7", "-storetype", "PKCS12", "-keystore", file.toString(),
        "-storepass", password, "-keypass", password);
    return file;
  }

  /** A truststore (certificates only) holding the certificate of each keystore given. */
  public static Path truststore(Path dir, String password, String keystorePassword, Path... keystores)
      throws IOException, InterruptedException {
    Path file = dir.resolve("trust-" + System.nanoTime() + ".p12");
    for (Path keystore : keystores) {
      String alias = keystore.getFileName().toString().replace(".p12", "");
      Path cert = dir.resolve(alias + ".pem");
      keytool("-exportcert", "-alias", alias, "-keystore", keystore.toString(), "-storepass", keystorePassword,
          "-rfc", "-file", cert.toString());
      keytool("-importcert", "-alias", alias, "-file", cert.toString(), "-keystore", file.toString(), "-storetype",
          "PKCS12", "-storepass", password);
    }
    return file;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.add("-noprompt");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
