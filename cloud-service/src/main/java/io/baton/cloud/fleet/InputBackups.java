package io.baton.cloud.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Deployment-level inputs and the copy an upgrade keeps before it changes them ("there is no version control at the
 * deployment level"), as the CSV the operator can download and a rollback restores.
 */
@ApplicationScoped
public class InputBackups {

    private static final TypeReference<Map<String, String>> INPUTS = new TypeReference<>() {};

    private final Tx tx;

    public InputBackups(Tx tx) {
        this.tx = tx;
    }

    /**
     * Keeps a copy of the deployment's inputs for this upgrade. A copy taken already is kept as it is: run again after
     * a crash, the step must not save inputs that the upgrade itself may have changed since.
     */
    public String save(String upgradeId, String deployment) {
        return tx.run(s -> s.find(InputsBackupEntity.class, upgradeId).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing.csv);
            }
            return s.find(DeploymentEntity.class, deployment).chain(d -> {
                InputsBackupEntity backup = new InputsBackupEntity();
                backup.upgradeId = upgradeId;
                backup.deployment = deployment;
                backup.csv = InputsCsv.write(Json.read(d.inputs, INPUTS));
                backup.savedAt = Instant.now();
                return s.persist(backup)
                        .chain(() -> s.persist(ActionEntity.of(upgradeId, deployment, "save-inputs", deployment)))
                        .replaceWith(backup.csv);
            });
        }));
    }

    /** The copy of the inputs saved for an upgrade, if it saved one. */
    public Optional<String> saved(String upgradeId) {
        return Optional.ofNullable(tx.run(s -> s.find(InputsBackupEntity.class, upgradeId)))
                .map(backup -> backup.csv);
    }

    /** Sets deployment-level inputs; inputs not named keep their values. */
    public Map<String, String> set(String upgradeId, String deployment, Map<String, String> values) {
        return tx.run(s -> s.find(DeploymentEntity.class, deployment).chain(d -> {
            Map<String, String> inputs = new TreeMap<>(Json.read(d.inputs, INPUTS));
            inputs.putAll(values);
            d.inputs = Json.write(inputs);
            return s.persist(ActionEntity.of(upgradeId, deployment, "set-inputs", String.join(",", values.keySet())))
                    .replaceWith(Map.copyOf(inputs));
        }));
    }

    /**
     * Puts back the inputs saved for this upgrade, all of them, as the undo of {@code step} (the action log says which
     * undo it was); does nothing when none were saved.
     */
    public boolean restore(String upgradeId, String step) {
        return tx.run(s -> s.find(InputsBackupEntity.class, upgradeId).chain(backup -> {
            if (backup == null) {
                return Uni.createFrom().item(false);
            }
            return s.find(DeploymentEntity.class, backup.deployment).chain(d -> {
                d.inputs = Json.write(InputsCsv.read(backup.csv));
                return s.persist(ActionEntity.of(
                                upgradeId, backup.deployment, "restore-inputs", backup.deployment + " (" + step + ")"))
                        .replaceWith(true);
            });
        }));
    }
}
