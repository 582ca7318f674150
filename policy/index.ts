import { PolicyPack } from "@pulumi/policy";

import { policies } from "./policies";

// Advisory unless the stack's enforcement file says otherwise (npm run preview passes
// policy/enforcement/<stack>.json when it exists).
new PolicyPack("go-demo-2", { enforcementLevel: "advisory", policies });
