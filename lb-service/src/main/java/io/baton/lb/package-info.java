/**
 * lb-service: owns the load-balancer steps of the application runbook (attach health-checked, drain, wait for
 * sessions to reach zero, detach, smoke test). The database runbook has no load-balancer step, so for now it follows
 * every saga through the shared engine without acting, and dead-letters what is not a saga event.
 */
package io.baton.lb;
