package io.baton.launcher;

import io.baton.launcher.Stack.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./baton manifests [DIR]}: Kubernetes manifests for the four services (deploy/kubernetes by default): per
 * service a Deployment of two replicas with its liveness, readiness and startup probes on SmallRye Health, a Service,
 * and a PodDisruptionBudget that keeps one replica up during a node drain; and what they share (a ConfigMap). Each
 * replica's Kafka static membership id is its pod's name. ManifestsTest holds the committed files to this.
 */
public final class Manifests {

    static final int REPLICAS = 2;
    static final String VERSION = "0.1.0";

    private Manifests() {}

    public static int main(Path home, String[] args) throws IOException {
        Path dir = args.length > 1 ? Path.of(args[1]) : home.resolve("deploy/kubernetes");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> file : all().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
            System.out.println("wrote " + dir.resolve(file.getKey()));
        }
        return 0;
    }

    /** Every manifest by file name. */
    public static Map<String, String> all() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("baton-config.yaml", config());
        for (Service s : Service.values()) {
            files.put(s.module + ".yaml", service(s));
        }
        return files;
    }

    /** The HTTP port a service listens on by default (its application.properties). */
    static int port(Service s) {
        return switch (s) {
            case PLANNER -> 7070;
            case CLOUD -> 7071;
            case DB -> 7072;
            case LB -> 7073;
        };
    }

    private static String header() {
        return "# Made by ./baton manifests (io.baton.launcher.Manifests); edit that, not this file.\n";
    }

    private static String config() {
        StringBuilder db = new StringBuilder();
        for (Service s : Service.values()) {
            db.append("  ")
                    .append(s.databaseVariable)
                    .append(": postgresql://postgres:5432/")
                    .append(s.database)
                    .append('\n');
        }
        return header()
                + """
                # What the four services share. Before applying: a Kafka broker with SASL/SCRAM users planner, cloud, db
                # and lb (and the ACLs of compose/kafka-init.sh), a PostgreSQL with the four databases, and the secrets
                #   baton-db           keys BATON_DB_USER, BATON_DB_PASSWORD
                #   baton-kafka-<s>    key password, for each of planner, cloud, db, lb
                #   baton-jwt          key jwt-verify-key.pem: the public key (or set BATON_JWT_PUBLIC_KEY to a JWKS URL)
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: baton
                  labels:
                    app.kubernetes.io/part-of: baton
                data:
                  BATON_KAFKA: kafka:9092
                  BATON_KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT
                  BATON_CLOUD_URL: http://cloud-service:7071
                """
                + db;
    }

    private static String service(Service s) {
        String name = s.module;
        String user = s.name().toLowerCase(Locale.ROOT);
        int port = port(s);
        return header()
                + """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                  labels:
                    app.kubernetes.io/name: %1$s
                    app.kubernetes.io/part-of: baton
                spec:
                  replicas: %4$d
                  selector:
                    matchLabels:
                      app.kubernetes.io/name: %1$s
                  template:
                    metadata:
                      labels:
                        app.kubernetes.io/name: %1$s
                        app.kubernetes.io/part-of: baton
                      annotations:
                        prometheus.io/scrape: "true"
                        prometheus.io/path: /q/metrics
                        prometheus.io/port: "%3$d"
                    spec:
                      # a replica that stops is given the time to finish its step and hand its runs over
                      terminationGracePeriodSeconds: 60
                      securityContext:
                        runAsNonRoot: true
                        runAsUser: 185
                      containers:
                        - name: %1$s
                          image: baton/%1$s:%5$s
                          ports:
                            - name: http
                              containerPort: %3$d
                          envFrom:
                            - configMapRef:
                                name: baton
                            - secretRef:
                                name: baton-db
                          env:
                            # the consumer group's static membership: a restarted container keeps its pod's name and
                            # gets its partitions back at once; a new pod (a rollout) joins as a new member, and the
                            # old one's partitions and runs move after the session timeout and lease (10 s)
                            - name: BATON_INSTANCE_ID
                              valueFrom:
                                fieldRef:
                                  fieldPath: metadata.name
                            - name: BATON_KAFKA_USER
                              value: %2$s
                            - name: BATON_KAFKA_PASSWORD
                              valueFrom:
                                secretKeyRef:
                                  name: baton-kafka-%2$s
                                  key: password
                          volumeMounts:
                            - name: jwt
                              mountPath: /etc/baton
                              readOnly: true
                          startupProbe:
                            httpGet:
                              path: /q/health/started
                              port: http
                            periodSeconds: 2
                            failureThreshold: 90
                          livenessProbe:
                            httpGet:
                              path: /q/health/live
                              port: http
                            periodSeconds: 10
                            failureThreshold: 3
                          readinessProbe:
                            httpGet:
                              path: /q/health/ready
                              port: http
                            periodSeconds: 5
                            failureThreshold: 2
                          resources:
                            requests:
                              cpu: 250m
                              memory: 512Mi
                            limits:
                              memory: 1Gi
                      volumes:
                        - name: jwt
                          secret:
                            secretName: baton-jwt
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                  labels:
                    app.kubernetes.io/name: %1$s
                    app.kubernetes.io/part-of: baton
                spec:
                  selector:
                    app.kubernetes.io/name: %1$s
                  ports:
                    - name: http
                      port: %3$d
                      targetPort: http
                ---
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata:
                  name: %1$s
                spec:
                  minAvailable: 1
                  selector:
                    matchLabels:
                      app.kubernetes.io/name: %1$s
                """
                        .formatted(name, user, port, REPLICAS, VERSION);
    }
}
