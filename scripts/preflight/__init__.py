"""`ccaas preflight`: what a real account would refuse, found before `cdk deploy` starts.

checklist    the order the checks run in, and what each needs from the one before
report       one check's outcome (pass/warn/fail, detail, fix) and how it is printed
offline      config, flows, synth with cdk-nag, template sizes: no AWS needed
account      read-only calls against the account the stage deploys to
baseline     the templates to compare with: deployed (CloudFormation) or last synthesized
replacement  which changes would replace a stateful resource (CloudFormation's create-only
             properties from the resource schemas cfn-lint ships)
"""
