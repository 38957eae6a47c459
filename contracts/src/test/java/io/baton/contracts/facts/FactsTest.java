package io.baton.contracts.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.ApplicationFacts.InputsSet;
import io.baton.contracts.facts.ApplicationFacts.SessionsDrained;
import io.baton.contracts.facts.DatabaseFacts.Candidate;
import io.baton.contracts.facts.DatabaseFacts.MasterPromoted;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.facts.DatabaseFacts.SlaveLaunched;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FactsTest {

    @Test
    void factsTravelAsTheStringsVersionOneConsumersRead() {
        assertThat(Facts.write(new MasterPromoted("0/501B788", "0/501B788", 374)))
                .containsExactly(
                        Map.entry("oldMasterFinalPosition", "0/501B788"),
                        Map.entry("newMasterAppliedPosition", "0/501B788"),
                        Map.entry("writeFenceMillis", "374"));
        assertThat(Facts.write(new AppServersLaunched(
                        List.of(new ServerRef("app-1", "127.0.10.5:8080"), new ServerRef("app-2", "127.0.10.6:8080")),
                        List.of(new ServerRef("app-3", "127.0.10.7:8080")))))
                .containsEntry("oldServers", "app-1=127.0.10.5:8080, app-2=127.0.10.6:8080")
                .containsEntry("newServers", "app-3=127.0.10.7:8080");
        assertThat(Facts.write(new InputsSet(List.of("REPOSITORY_URL", "REPOSITORY_REF"))))
                .containsEntry("inputsSet", "REPOSITORY_URL, REPOSITORY_REF");
        assertThat(Facts.write(new SessionsDrained(false, 2, 1000)))
                .containsEntry("drained", "false")
                .containsEntry("sessionsCut", "2");
    }

    @Test
    void everyStepsFactsSurviveTheRoundTrip() {
        for (StepName step : StepName.values()) {
            StepFacts sample = Samples.of(step.facts());
            assertThat(Facts.read(Facts.write(sample), step.facts()))
                    .as(step.name())
                    .isEqualTo(sample);
        }
    }

    @Test
    void aStepReadsWhatSeveralStepsBeforeItLeft() {
        Map<String, String> slip = new LinkedHashMap<>();
        slip.putAll(Facts.write(new SlaveCreated("c-1", "db-3")));
        slip.putAll(Facts.write(new SlaveLaunched("127.0.10.3:5432")));
        assertThat(Facts.read(slip, Candidate.class)).isEqualTo(new Candidate("c-1", "db-3", "127.0.10.3:5432"));
    }

    @Test
    void listsWrittenWithoutSpacesStillRead() {
        AppServersLaunched read = Facts.read(
                Map.of("oldServers", "app-1=app-1:80,app-2=app-2:80", "newServers", ""), AppServersLaunched.class);
        assertThat(read.oldServers()).extracting(ServerRef::name).containsExactly("app-1", "app-2");
        assertThat(read.newServers()).isEmpty();
    }

    @Test
    void aMissingOrMalformedFactIsNamed() {
        assertThatThrownBy(() -> Facts.read(Map.of("candidateId", "c-1"), Candidate.class))
                .hasMessage("the routing slip has no fact 'candidateName' (Candidate)");
        assertThat(Facts.find(Map.of("candidateId", "c-1"), Candidate.class)).isEmpty();
        assertThatThrownBy(() -> Facts.read(
                        Map.of("oldMasterFinalPosition", "a", "newMasterAppliedPosition", "a", "writeFenceMillis", "x"),
                        MasterPromoted.class))
                .hasMessageContaining("writeFenceMillis");
        assertThatThrownBy(() -> Facts.read(
                        Map.of("drained", "yes", "sessionsCut", "0", "drainMillis", "1"), SessionsDrained.class))
                .hasMessageContaining("drained");
    }
}
