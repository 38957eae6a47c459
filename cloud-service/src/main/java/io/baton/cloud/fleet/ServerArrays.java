package io.baton.cloud.fleet;

import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.Consumer;

/** The server arrays of a deployment, changed by steps of an upgrade that first keep them as they were. */
@ApplicationScoped
public class ServerArrays {

    private final Tx tx;

    public ServerArrays(Tx tx) {
        this.tx = tx;
    }

    /**
     * Changes every server array of the deployment for one step of an upgrade, first keeping each array as it was;
     * run again, the step keeps the first copy, which is the one its undo must put back. Returns the arrays' names.
     */
    public List<String> change(String upgradeId, String step, String deployment, Consumer<ServerArrayEntity> change) {
        return tx.run(s -> s.createSelectionQuery(
                        "from ServerArrayEntity where deployment = :d order by name", ServerArrayEntity.class)
                .setParameter("d", deployment)
                .getResultList()
                .chain(arrays -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ServerArrayEntity array : arrays) {
                        String key = upgradeId + "/" + step + "/" + array.id;
                        chain = chain.chain(
                                () -> s.find(ArrayChangeEntity.class, key).chain(kept -> {
                                    Uni<Void> keep = Uni.createFrom().voidItem();
                                    if (kept == null) {
                                        ArrayChangeEntity before = new ArrayChangeEntity();
                                        before.id = key;
                                        before.arrayId = array.id;
                                        before.serverTemplate = array.serverTemplate;
                                        before.templateRevision = array.templateRevision;
                                        before.enabled = array.enabled;
                                        keep = s.persist(before);
                                    }
                                    change.accept(array);
                                    return keep.chain(() -> s.persist(
                                            ActionEntity.of(upgradeId, deployment, step.toLowerCase(), array.name)));
                                }));
                    }
                    return chain.replaceWith(arrays.stream().map(x -> x.name).toList());
                }));
    }

    /** Puts back the arrays one step of an upgrade changed, as they were before it. */
    public void restore(String upgradeId, String step, String deployment) {
        tx.run(s -> s.createSelectionQuery("from ArrayChangeEntity where id like :prefix", ArrayChangeEntity.class)
                .setParameter("prefix", upgradeId + "/" + step + "/%")
                .getResultList()
                .chain(kept -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ArrayChangeEntity before : kept) {
                        chain = chain.chain(() -> s.find(ServerArrayEntity.class, before.arrayId)
                                .chain(array -> {
                                    if (array == null) {
                                        return Uni.createFrom().voidItem();
                                    }
                                    array.serverTemplate = before.serverTemplate;
                                    array.templateRevision = before.templateRevision;
                                    array.enabled = before.enabled;
                                    return s.persist(ActionEntity.of(
                                            upgradeId, deployment, "restore-array", array.name + " (" + step + ")"));
                                }));
                    }
                    return chain;
                }));
    }
}
