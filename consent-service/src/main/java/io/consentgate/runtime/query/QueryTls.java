package io.consentgate.runtime.query;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The query API's TLS: the instance's certificate and key (a PKCS12 keystore) for the server, and
 * what it trusts when it calls the other instances. Without a truststore of its own it trusts the
 * certificate of its keystore: instances that share one certificate (one naming every instance's
 * advertised host) need nothing more; instances with a certificate each need a truststore holding
 * the CA that signed them. Loaded once at startup, so that a wrong path or password stops the gate
 * with a configuration error instead of failing at the first request.
 */
public final class QueryTls {

  public static final String KEYSTORE = "query.tls.keystore";
  public static final String KEYSTORE_PASSWORD = "query.tls.keystore.password";
  public static final String TRUSTSTORE = "query.tls.truststore";
  public static final String TRUSTSTORE_PASSWORD = "query.tls.truststore.password";

  private final KeyStore keyStore;
  private final String keyStorePassword;
  private final KeyStore trustStore;
  private final SSLContext clientContext;

  private QueryTls(KeyStore keyStore, String keyStorePassword, KeyStore trustStore) throws GeneralSecurityException {
    this.keyStore = keyStore;
    this.keyStorePassword = keyStorePassword;
    this.trustStore = trustStore;
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trustStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    this.clientContext = context;
  }

  /**
   * @param truststore null: trust the keystore's own certificate
   * @throws IllegalArgumentException a store cannot be read, its password is wrong, or the keystore holds no key
   */
  public static QueryTls load(Path keystore, String password, Path truststore, String truststorePassword) {
    if (password == null) {
      throw new IllegalArgumentException(KEYSTORE + " is set but " + KEYSTORE_PASSWORD + " is not");
    }
    KeyStore keys = read(keystore, password, KEYSTORE);
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(keys.aliases())) {
        hasKey |= keys.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new IllegalArgumentException(KEYSTORE + ": " + keystore + " holds no private key (a PKCS12 keystore with "
            + "the instance's certificate and key is needed)");
      }
      KeyStore trusted = truststore == null ? keys : read(truststore, truststorePassword, TRUSTSTORE);
      return new QueryTls(keys, password, trusted);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(KEYSTORE + ": " + keystore + " cannot be used: " + e.getMessage(), e);
    }
  }

  private static KeyStore read(Path file, String password, String key) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(key + ": " + file + " is not a file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      // A wrong password shows as an IOException whose cause is an UnrecoverableKeyException.
      throw new IllegalArgumentException(key + ": cannot read " + file + " as a PKCS12 keystore (is the password "
          + "right?): " + e.getMessage(), e);
    }
  }

  /** A new server-side context for Jetty (one per server: Jetty starts and stops it with the connector). */
  public SslContextFactory.Server serverContext() {
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setKeyStore(keyStore);
    factory.setKeyStorePassword(keyStorePassword);
    return factory;
  }

  /** For calls to other instances: trusts {@link #trustStore}, checks their host names. */
  public SSLContext clientContext() {
    return clientContext;
  }
}
