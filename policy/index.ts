import { PolicyPack } from "@pulumi/policy";

import { policies } from "./policies";

// Advisory unless a stack's enforcement file (policy/enforcement/<stack>.json, passed with
// --policy-pack-config by the review tool and the workflows) says otherwise.
new PolicyPack("go-demo-2", { enforcementLevel: "advisory", policies });
