-- Environment-scoped access: each environment's rules, a JSON array of
-- {"role": ROLE} or {"group": NAME} with the permissions they grant there. Every
-- environment, existing or new, starts with the rules that reproduce the role matrix.
ALTER TABLE environments ADD COLUMN access jsonb NOT NULL DEFAULT
    '[{"role":"builder","permissions":["READ_OPTIONS","SELECT","PROMOTE_INTO"]},
      {"role":"viewer","permissions":["READ_OPTIONS"]},
      {"role":"runner","permissions":["READ_OPTIONS","RESOLVE"]}]'::jsonb;
ALTER TABLE environments ADD CONSTRAINT environments_access_is_an_array
    CHECK (jsonb_typeof(access) = 'array');
