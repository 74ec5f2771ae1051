#!/usr/bin/env bash
# Writes N objects of a realistic mix (Deployments, Services, ConfigMaps in
# 10 namespaces, plus the Namespaces) into about 100 files under DIR.
#   gen_manifests.sh N DIR [SEED]
# SEED changes the ConfigMaps' content, so two runs with different seeds
# differ in about one object in three.
set -euo pipefail
n=${1:?N}
dir=${2:?DIR}
seed=${3:-0}
mkdir -p "$dir"
awk -v n="$n" -v dir="$dir" -v seed="$seed" '
BEGIN {
        nns = 10
        for (i = 0; i < nns; i++) {
                f = sprintf("%s/namespaces.yaml", dir)
                printf "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench-%d\n  labels:\n    team: t%d\n---\n", i, i % 3 > f
        }
        left = n - nns
        files = 100
        per = int((left + files - 1) / files)
        for (i = 0; i < left; i++) {
                f = sprintf("%s/app-%03d.yaml", dir, int(i / per))
                app = int(i / 3)
                ns = sprintf("bench-%d", app % nns)
                name = sprintf("app-%05d", app)
                k = i % 3
                if (k == 0) {
                        printf "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app: %s\n    tier: %s\nspec:\n  replicas: %d\n  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n      containers:\n      - name: main\n        image: registry.example.com/%s:1.%d\n        ports:\n        - containerPort: 8080\n          name: http\n        env:\n        - name: MODE\n          value: production\n        resources:\n          requests:\n            cpu: 100m\n            memory: 64Mi\n          limits:\n            cpu: 500m\n            memory: 256Mi\n        volumeMounts:\n        - name: config\n          mountPath: /etc/app\n      volumes:\n      - name: config\n        configMap:\n          name: %s\n---\n", name, ns, name, (app % 2 ? "web" : "api"), 1 + app % 3, name, name, name, app % 7, name > f
                } else if (k == 1) {
                        printf "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app: %s\nspec:\n  selector:\n    app: %s\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n---\n", name, ns, name, name > f
                } else {
                        printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  app.conf: |\n    listen 8080\n    workers %d\n    seed %d\n  LOG_LEVEL: info\n---\n", name, ns, 1 + app % 4, seed > f
                }
        }
}'
