package io.baton.contracts;

/**
 * What the operator asked for, as the planner understood it. Exactly one of the kind-specific parts is set.
 *
 * @param approvalRequired whether the saga waits for an operator's approval before the pivot
 */
public record UpgradeSpec(DatabaseUpgrade database, ApplicationUpgrade application, boolean approvalRequired) {

    public UpgradeSpec(DatabaseUpgrade database, boolean approvalRequired) {
        this(database, null, approvalRequired);
    }
}
