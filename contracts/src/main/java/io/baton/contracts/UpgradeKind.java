package io.baton.contracts;

public enum UpgradeKind {
    DATABASE,
    APPLICATION
}
