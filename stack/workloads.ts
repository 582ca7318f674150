/**
 * The stack's workloads: the lab's combined ReplicaSet, or MongoDB and the API apart (`topology`),
 * with MongoDB's Service created between them, because the API's Pods must find it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CombinedBackend, GoDemo2Api, MongoDb, Workload } from "go-demo-2";

import { StackConfig } from "../config";
import { ApiCertificate } from "./certManager";
import { names } from "./names";
import { placementTransformations } from "./placement";
import { StackServices } from "./services";

export interface Workloads {
    db: Workload;
    /** The same object as `db` in the combined topology. */
    api: Workload;
    /** The claim MongoDB's data lives on, when it has one. */
    dbClaim?: k8s.core.v1.PersistentVolumeClaim;
}

/** Creates the workloads, and MongoDB's Service in `services` as soon as MongoDB exists. */
export function createWorkloads(
    config: StackConfig,
    namespace: pulumi.Input<string>,
    services: StackServices,
    tls?: ApiCertificate,
): Workloads {
    const { rolloutTimeoutSeconds, nodeLossTolerationSeconds } = config;
    const transformations = placementTransformations(config);
    const architectures = config.nodeArchitectures;
    const dbArgs = { image: config.dbImage, httpInterface: config.dbHttpInterface, memoryLimit: config.dbMemoryLimit };
    // The API's metrics carry the API Service's name where something scrapes them. Only there: a
    // new variable is a new Pod template, and a stack that scrapes nothing keeps its Pods.
    const metricsName = config.monitoring === "none" ? undefined : names.api;
    if (config.topology === "combined") {
        const backend = new CombinedBackend(names.combined, {
            namespace,
            replicas: config.replicas,
            db: dbArgs,
            apiImage: config.apiImage,
            apiServiceName: metricsName,
            rolloutTimeoutSeconds,
            nodeLossTolerationSeconds,
            architectures,
        }, { transformations });
        services.create(names.db, backend);
        return { db: backend, api: backend };
    }
    const db = new MongoDb(names.db, {
        namespace,
        ...dbArgs,
        storage: config.dbStorageSize
            ? { size: config.dbStorageSize, storageClass: config.dbStorageClass, protect: config.dbStorageProtected }
            : undefined,
        rolloutTimeoutSeconds,
        // Its own: on a lost node its ReadWriteOnce volume stays attached (see docs/operations.md, "What it survives").
        nodeLossTolerationSeconds: config.dbNodeLossTolerationSeconds,
        architectures,
    }, { transformations });
    const dbService = services.create(names.db, db);
    const api = new GoDemo2Api(
        names.api,
        {
            namespace,
            replicas: config.replicas,
            image: config.apiImage,
            dbHost: names.db,
            serviceName: metricsName,
            tlsSecretName: tls ? names.apiTls : undefined,
            tlsProxyImage: config.tlsProxyImage,
            rolloutTimeoutSeconds,
            nodeLossTolerationSeconds,
            architectures,
            // Every MongoDB release rolls the API too, once the new MongoDB is Ready: go-demo-2
            // dials MongoDB once at start and keeps that session (see API_LIVENESS_PROBE).
            dbRelease: db.templateHash,
        },
        // The API dials go-demo-2-db once at start and panics if that fails: its Pods are
        // created only once that name resolves and MongoDB behind it is Ready (the Service
        // waits for it). The API's Pods mount the certificate's Secret: they start once
        // cert-manager wrote it.
        { dependsOn: [...(dbService ? [dbService] : []), ...(tls ? [tls.certificate] : [])], transformations },
    );
    return { db, api, dbClaim: db.claim };
}
